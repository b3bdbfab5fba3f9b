"""The ``sgdml`` package, as every part of flexmlff imports it (the datasets' checksums, the
splits, the sGDML families): without the logging side effect of its import."""

import logging


def import_sgdml():
    """The ``sgdml`` package, imported without its logging side effect.

    Importing it makes its ColoredLogger logging's logger class: every logger created
    afterwards (sgdml's, torch's, matplotlib's) is set to DEBUG with a stderr handler of its
    own beside the root's, so a job's log showed each of their lines twice, and torch's
    autograd logged every node of every backward pass (a million lines, and 8 % more CPU,
    in a grown-training-set step, whose stratified start imported sgdml directly).
    The class is reset and those handlers dropped; the messages still reach the root
    logger's handlers. Every import of sgdml goes through here.
    """
    import sgdml

    logging.setLoggerClass(logging.Logger)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, sgdml.ColoredLogger):
            logger.handlers = [
                handler for handler in logger.handlers if not isinstance(handler.formatter, sgdml.ColoredFormatter)
            ]
    return sgdml
