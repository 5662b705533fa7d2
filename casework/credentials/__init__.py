"""Platform credentials that change at run time (the Zalo OA access and refresh tokens)."""
