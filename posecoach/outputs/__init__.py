"""Where results go besides the screen: voice, reports, history."""
