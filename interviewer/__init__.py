"""interviewer: a terminal mock interviewer grounded in your own study notes.

The library API lives in the modules named for what they do (``corpus``,
``index``, ``retrieval``, ``llm``, ``grading``, ``session``, ``evals``,
``references``); ``cli`` only parses arguments and renders."""

__version__ = "0.1.0"
