"""The officials' side over HTTP: versioned JSON API and web console (to come)."""
