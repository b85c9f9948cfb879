#!/usr/bin/env python3
"""The systemd side of sd_notify for tests: binds the datagram socket named by argv[1] (a path,
or @name for the abstract namespace) and appends each message it gets to argv[2], one line per
datagram (its assignments joined with '|'). When a message says READY=1 it asks both of the
plugin's sockets a request at once, as docker.service would right after, and appends
"probe rest=<HTTP status> volume=<HTTP status>": argv[3] is the REST base URL, argv[4] the
volume plugin socket. Runs until killed."""
import http.client
import socket
import sys
import urllib.request


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("plugin", timeout=5)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(self.unix_path)


def probe(rest, volume_socket):
    try:
        rest_status = urllib.request.urlopen(rest + "/v1.0/docker/cli/json", timeout=5).status
    except urllib.error.HTTPError as e:
        rest_status = e.code
    except Exception as e:  # noqa: BLE001 - recorded for the test to see
        rest_status = "error:" + type(e).__name__
    try:
        conn = UnixHTTPConnection(volume_socket)
        conn.request("POST", "/VolumeDriver.Capabilities", body="{}")
        volume_status = conn.getresponse().status
    except Exception as e:  # noqa: BLE001
        volume_status = "error:" + type(e).__name__
    return f"probe rest={rest_status} volume={volume_status}"


def main():
    name, out, rest, volume_socket = sys.argv[1:5]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name[1:] if name.startswith("@") else name)
    with open(out, "a", buffering=1) as log:
        log.write("listening\n")
        while True:
            data = sock.recv(65536).decode("utf-8", "replace")
            log.write("|".join(data.split("\n")) + "\n")
            if "READY=1" in data.split("\n"):
                log.write(probe(rest, volume_socket) + "\n")


main()
