{
  # The WebSocket protocol addon. It includes only the engine's C ABI header and never links
  # against the engine addon; zlib comes from Node's headers and the node binary's own symbols.
  # Built by @fasterapi/native's fasterapi-build-native (see ../../http1/native/addon.gypi).
  "variables": { "fasterapi_sanitize%": 0 },
  "targets": [
    {
      "target_name": "fasterapi_ws",
      "sources": [
        "src/addon.cc",
        "src/block_buffer.cc",
        "src/deflate.cc",
        "src/event_batch.cc",
        "src/parser.cc",
        "src/utf8.cc",
        "src/ws_module.cc"
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
