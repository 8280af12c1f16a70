"""Training a classifier: data sets, the trainer's run, the decision boundary, curves and
templates.
"""
