"""How numbers read: one short format wherever a number is shown (-0.53, 0.116, 1.2e+30, nan:
the canvas, the docks, the captions), every digit on hover, ten significant digits only in the
fields where a number is edited. Zero reads 0.00 whatever its sign (hover shows -0.0).

A sentence about one number (the status bar, a run's message, an undo text) reads it the same
short way, unless two decimals would make a whole number of one that is not (100.00 for
99.99938): there it says enough digits to tell (``format_readout``).

Plain Python, so the engine's captions (chain rule) and the GUI read numbers the same way.
"""

import math


def format_number(x) -> str:
    """Two decimals for everyday sizes, two significant digits with an exponent otherwise; a
    number below 10 that has exactly three decimals (the lecture's 0.116, -0.112, 0.088, up
    to the last bits of float arithmetic) reads with all three."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0.00"
    if 0.001 <= abs(x) < 1e5:
        if abs(x) < 10 and _three_decimals(x):
            return f"{x:.3f}"
        if abs(x) >= 0.01:
            return f"{x:.2f}"
    return f"{x:.2g}"


def _three_decimals(x: float) -> bool:
    """True for a number that is a whole number of thousandths, not of hundredths."""
    thousandths = x * 1000.0
    whole = round(thousandths)
    return abs(thousandths - whole) <= 1e-9 * abs(thousandths) and whole % 10 != 0


def format_readout(x) -> str:
    """``format_number``'s text, but 99.9994 (not 100.00) and 0.9999999 (not 1.00): a number
    that is not whole never reads as a whole one."""
    x = float(x)
    short = format_number(x)
    if not short.endswith(".00") or x == int(x):
        return short
    six = f"{x:.6g}"
    return six if float(six) != int(float(six)) else format_full(x)


def format_precise(x) -> str:
    """Up to ten significant digits, for the fields where a number is edited (zero: 0, whatever
    its sign, as the canvas shows it; a field left as shown changes nothing)."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.10g}" if x != 0 else "0"


def format_full(x) -> str:
    """Every digit: the shortest text that reads back as the same float (for hover texts)."""
    return repr(float(x))


def is_marked(x) -> bool:
    """True for numbers the canvas marks as a problem (nan and inf)."""
    return not math.isfinite(float(x))
