{
  # The PostgreSQL session-socket addon. It includes only the engine's C ABI header and never
  # links against the engine addon. Built by @fasterapi/native's fasterapi-build-native (see
  # packages/native/scripts/build-native.mjs); FASTERAPI_SANITIZE=1 builds it with ASan+UBSan.
  # Not a root binding.gyp: pnpm would run an implicit `node-gyp rebuild` install script.
  "variables": { "fasterapi_sanitize%": 0 },
  "targets": [
    {
      "target_name": "fasterapi_pgwire",
      "sources": ["src/addon.cc", "src/wire_module.cc"],
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
