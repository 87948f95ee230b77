-- Ask for gzip only.
wrk.headers["Accept-Encoding"] = "gzip"
