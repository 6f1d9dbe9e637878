"""Style: the shape of a text (greeting, body, sign-off, sentences) and rules that rewrite it."""
