{
  # fasterapi_sanitize=1 (set by scripts/build-native.mjs when FASTERAPI_SANITIZE=1, building
  # from build-sanitize/) adds ASan + UBSan; the normal build is -O3 without exceptions or RTTI.
  "variables": { "fasterapi_sanitize%": 0 },
  "target_defaults": {
    "include_dirs": ["include"],
    "defines": ["NAPI_VERSION=9"],
    "cflags!": ["-fno-omit-frame-pointer"],
    "cflags_cc!": ["-std=gnu++17", "-std=c++17", "-fexceptions", "-frtti"],
    "cflags_cc": ["-std=c++20", "-fno-exceptions", "-fno-rtti", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
    "conditions": [
      ["fasterapi_sanitize==1", {
        "cflags": ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-g", "-O1"],
        "cflags_cc": ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-g", "-O1"],
        "ldflags": ["-fsanitize=address,undefined"]
      }, {
        "cflags_cc": ["-O3"]
      }]
    ]
  },
  "targets": [
    {
      # The engine. OpenSSL comes from Node's headers (<nodedir>/include/node/openssl) and its
      # exported symbols: never link -lssl here.
      "target_name": "fasterapi_engine",
      "sources": [
        "src/addon.cc",
        "src/buffer_pool.cc",
        "src/connection.cc",
        "src/engine.cc",
        "src/engine_api.cc",
        "src/listener.cc",
        "src/timer_heap.cc",
        "src/tls.cc",
        "src/udp_api.cc",
        "src/udp_endpoint.cc",
        "src/udp_endpoints.cc",
        "src/udp_receive_batch.cc",
        "src/udp_send_batch.cc",
        "src/udp_send_queue.cc",
        "src/udp_socket.cc",
        "src/write_queue.cc"
      ]
    },
    {
      # Test fixture only (not shipped: package.json "files" lists dist/ alone): a minimal
      # echo protocol module built as its own addon, proving the ABI works across .node files.
      "target_name": "echo_protocol_fixture",
      "sources": ["test/fixtures/echo-protocol/echo_protocol.cc"]
    },
    {
      # Test fixture only (not shipped): a UDP echo module, the example of the UDP endpoint ABI.
      "target_name": "udp_echo_fixture",
      "sources": ["test/fixtures/udp-echo/udp_echo.cc"]
    }
  ]
}
