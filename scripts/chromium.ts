// Launch options shared by every Playwright config: Debian's Chromium (Playwright must never
// download a browser), fake camera and microphone, and the flags that let WebRTC gather
// 127.0.0.1 candidates inside the loopback-only namespace of scripts/isolated.sh.
import { existsSync } from 'node:fs';

export const chromiumExecutable = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (!existsSync(chromiumExecutable)) {
  throw new Error(
    `Chromium not found at ${chromiumExecutable}: run "apt-get install chromium" or set CHROMIUM_PATH.`,
  );
}

export const chromiumArgs = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

export const chromiumLaunchOptions = { executablePath: chromiumExecutable, args: chromiumArgs };
