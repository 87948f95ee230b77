{
  # Built by @fasterapi/native's fasterapi-build-native (build-gyp/binding.gyp includes this file).
  "variables": { "fasterapi_sanitize%": 0 },
  "targets": [
    {
      "target_name": "fasterapi_zstd",
      "sources": ["src/zstd_binding.cc"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-std=gnu++17"],
      "cflags_cc": ["-std=c++20", "-O3", "-fno-exceptions", "-fno-rtti", "-Wall", "-Wextra"],
      "libraries": ["-lzstd"]
    }
  ]
}
