{
  # The HTTP/3 protocol addon: ngtcp2 (QUIC) + ngtcp2_crypto_gnutls (TLS 1.3) + nghttp3 (HTTP/3,
  # QPACK) from Debian, on the engine's UDP endpoints and timers. It includes only the engine's C
  # ABI header and never links against the engine addon. Built by @fasterapi/native's
  # fasterapi-build-native; FASTERAPI_SANITIZE=1 builds build-sanitize/ with ASan+UBSan.
  "variables": { "fasterapi_sanitize%": 0 },
  "targets": [
    {
      "target_name": "fasterapi_http3",
      "sources": [
        "src/addon.cc",
        "src/h3_connection.cc",
        "src/h3_server.cc"
      ],
      "include_dirs": ["../../native/include"],
      "libraries": ["-lngtcp2_crypto_gnutls", "-lngtcp2", "-lnghttp3", "-lgnutls"],
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
