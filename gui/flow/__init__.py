"""The animated passes: dots along the wires, chain-rule captions, the Flow toolbar."""
