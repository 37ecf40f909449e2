"""One module per CLI command (or command group). Each imports heavy libraries
inside its functions so that ``interviewer --help`` stays fast."""
