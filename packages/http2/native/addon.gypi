{
  # The HTTP/2 protocol addon. It includes only the engine's C ABI header and never links against
  # the engine addon, nor against a libnghttp2: nghttp2's symbols resolve at load time to the copy
  # the node binary exports (process.versions.nghttp2; see README "Which nghttp2"). Debian's
  # libnghttp2-dev supplies the headers only. Built by @fasterapi/native's fasterapi-build-native.
  "variables": { "fasterapi_sanitize%": 0 },
  "targets": [
    {
      "target_name": "fasterapi_http2",
      "sources": [
        "src/addon.cc",
        "src/borrowed_body.cc",
        "src/h2_module.cc"
      ],
      "include_dirs": ["../../native/include"],
      "cflags_cc!": ["-std=gnu++17"],
      "cflags_cc": ["-std=c++20", "-fno-exceptions", "-fno-rtti", "-Wall", "-Wextra"],
      "conditions": [
        ["fasterapi_sanitize==1", {
          "cflags_cc": ["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
