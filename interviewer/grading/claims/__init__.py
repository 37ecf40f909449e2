"""Wrong claims: rules that find an answer's statement inverting one of the notes'."""
