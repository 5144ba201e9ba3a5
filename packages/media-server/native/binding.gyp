{
  "targets": [
    {
      "target_name": "medley_srtp",
      "sources": ["src/srtp_sender.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
