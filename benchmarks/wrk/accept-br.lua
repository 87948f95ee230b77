-- Ask for br only.
wrk.headers["Accept-Encoding"] = "br"
