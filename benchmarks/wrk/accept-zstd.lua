-- Ask for zstd only.
wrk.headers["Accept-Encoding"] = "zstd"
