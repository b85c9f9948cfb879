#!/usr/bin/env python3
"""Stands in for nvidia-docker-plugin behind sshd in tests/integration/test_ssh.sh and
bench/bench_ssh.sh: HTTP/1.1 with keep-alive on ADDRESS:PORT, answering the plugin's v1.0
paths with fixed bodies. Appends one line per TCP connection to LOG (to count connections).

usage: ssh_plugin_responder.py ADDRESS PORT LOG
"""
import http.server
import json
import socketserver
import sys

DEVICES = ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia0"]
BODIES = {
    "/v1.0/docker/cli/json": {
        "VolumeDriver": "nvidia-docker",
        "Volumes": ["nvidia_driver_535.104:/usr/local/nvidia:ro"],
        "Devices": DEVICES,
    },
    "/v1.0/docker/cli": None,
    "/v1.0/gpu/info/json": {
        "Version": {"Driver": "535.104", "CUDA": "12.2"},
        "Devices": [{"UUID": "GPU-remote-0000", "Path": "/dev/nvidia0", "Model": "Remote GPU"}],
    },
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with open(sys.argv[3], "a") as log:
            log.write("connection\n")

    def do_GET(self):
        path = self.path.split("?")[0]
        if path not in BODIES:
            body = b"not found\n"
            self.send_response(404)
        elif BODIES[path] is None:
            body = ("--volume-driver=nvidia-docker --volume=nvidia_driver_535.104:/usr/local/nvidia:ro "
                    + " ".join("--device=" + d for d in DEVICES)).encode()
            self.send_response(200)
        else:
            body = json.dumps(BODIES[path]).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
