"""How numbers read: short on the canvas and in captions (-0.53, 1.2e+30, nan), precise in panels,
every digit on hover.

Plain Python, so the engine's captions (chain rule) and the GUI read numbers the same way.
"""

import math


def format_number(x) -> str:
    """Two decimals for everyday sizes, two significant digits with an exponent otherwise."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0.00"
    if 0.01 <= abs(x) < 1e5:
        return f"{x:.2f}"
    return f"{x:.2g}"


def format_precise(x) -> str:
    """Up to ten significant digits, for property panels and tooltips."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.10g}"


def format_full(x) -> str:
    """Every digit: the shortest text that reads back as the same float (for hover texts)."""
    return repr(float(x))


def is_marked(x) -> bool:
    """True for numbers the canvas marks as a problem (nan and inf)."""
    return not math.isfinite(float(x))
