#!/usr/bin/env python3
"""Drives the service's web page in headless Chromium through the Chrome DevTools protocol (standard library only).

Opens BASE/?user=USER, waits for the recommendations, rates the first recommended movie through the page (a click on
its rating button), checks that the list changes (the rated movie leaves it) and that the movie shows among the user's
ratings, and saves a screenshot. Exits 0 when every check passes.

Usage: browser_check.py BASE_URL USER SCREENSHOT.png
"""
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse


class WebSocket:
    """A minimal client WebSocket (RFC 6455): text frames, masking, fragmented and control frames."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("the browser closed the connection during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"websocket handshake refused: {head[:200]!r}")

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("the browser closed the connection")
            data += chunk
        return data

    def send(self, text):
        payload = text.encode()
        header = bytearray([0x81])
        n = len(payload)
        if n < 126:
            header.append(0x80 | n)
        elif n < 1 << 16:
            header.append(0x80 | 126)
            header += struct.pack(">H", n)
        else:
            header.append(0x80 | 127)
            header += struct.pack(">Q", n)
        mask = os.urandom(4)
        header += mask
        self.sock.sendall(bytes(header) + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError("the browser closed the websocket")
            if opcode in (0x9, 0xA):
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Browser:
    """Headless Chromium with one page, driven by DevTools commands over the browser's websocket."""

    def __init__(self):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            raise SystemExit("chromium is not installed (scripts/test-browser installs it)")
        self.profile = tempfile.mkdtemp(prefix="latent-chromium-")
        self.process = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--window-size=1280,1000", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = None
        deadline = time.time() + 60
        while time.time() < deadline and url is None:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                raise SystemExit(f"chromium exited with {self.process.returncode}")
            if "DevTools listening on " in line:
                url = line.split("DevTools listening on ", 1)[1].strip()
        if url is None:
            raise SystemExit("chromium did not open its DevTools port within 60 s")
        self.ws = WebSocket(url)
        self.next_id = 0
        target = self.command("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.command("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.command("Page.enable", session=True)
        self.command("Emulation.setDeviceMetricsOverride", session=True, width=1280, height=1000,
                     deviceScaleFactor=1, mobile=False)

    def command(self, method, session=False, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.receive())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression):
        result = self.command("Runtime.evaluate", session=True, expression=expression, awaitPromise=True,
                              returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise SystemExit(f"FAIL: {what} (waited {seconds} s)")

    def screenshot(self, path):
        data = self.command("Page.captureScreenshot", session=True, format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.command("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


RECS = "[...document.querySelectorAll('#recs li[data-item]')].map(li => [li.dataset.item, li.querySelector('.title').textContent])"


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    base, user, shot = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    browser = Browser()
    try:
        browser.command("Page.navigate", session=True, url=f"{base}/?user={urllib.parse.quote(user)}")
        browser.wait_for("document.body && document.body.dataset.ready === '1'", "the page did not finish loading")
        before = browser.wait_for(f"(() => {{ const r = {RECS}; return r.length ? r : null; }})()",
                                  "no recommendations on the page")
        print(f"before: {len(before)} recommendations, first {before[0][0]} {before[0][1]!r}")
        untitled = [item for item, title in before if title.startswith("item ")]
        if untitled:
            raise SystemExit(f"FAIL: recommendations without titles: {untitled}")
        item = before[0][0]
        clicked = browser.evaluate(
            f"(() => {{ const b = document.querySelector('#recs li[data-item=\"{item}\"] .rate button:last-child');"
            " if (!b) return null; b.click(); return b.dataset.value; })()")
        if clicked is None:
            raise SystemExit("FAIL: no rating button on the first recommendation")
        print(f"rated {item} {clicked} through the page")
        after = browser.wait_for(
            f"(() => {{ const r = {RECS}; return r.length && r.map(x => x[0]).join(',') !== {json.dumps(','.join(i for i, _ in before))} ? r : null; }})()",
            "the recommendations did not change after rating")
        print(f"after: {len(after)} recommendations, first {after[0][0]} {after[0][1]!r}")
        if any(i == item for i, _ in after):
            raise SystemExit(f"FAIL: the rated movie {item} is still recommended")
        browser.wait_for(
            f"[...document.querySelectorAll('#rated li')].some(li => li.textContent.includes({json.dumps(before[0][1])}) && li.textContent.includes('(here)'))",
            "the rated movie does not show among the user's ratings")
        status = browser.evaluate("document.getElementById('status').textContent")
        browser.screenshot(shot)
        print(f"status line: {status!r}; screenshot: {shot}")
        print("PASS: the page rated a movie and its recommendations changed")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
