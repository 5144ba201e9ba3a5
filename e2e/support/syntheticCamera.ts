import type { Page } from '@playwright/test';

/** What a page's camera and microphone give instead of Chromium's fake devices. */
export interface SyntheticMedia {
  /** A CSS colour filling the whole picture. */
  colour: string;
  /** A sine tone on the microphone, in Hz. */
  toneHz: number;
}

/**
 * Makes every getUserMedia() of the page answer a 320x240 picture of one flat colour (repainted
 * 15 times a second, so frames keep flowing) and a steady sine tone: what comes back through a
 * mixer can then be told apart by colour and by frequency.
 */
export async function useSyntheticMedia(page: Page, media: SyntheticMedia): Promise<void> {
  await page.addInitScript(({ colour, toneHz }) => {
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const tracks: MediaStreamTrack[] = [];
      if (constraints?.video) {
        const canvas = document.createElement('canvas');
        canvas.width = 320;
        canvas.height = 240;
        const context = canvas.getContext('2d') as CanvasRenderingContext2D;
        const paint = () => {
          context.fillStyle = colour;
          context.fillRect(0, 0, canvas.width, canvas.height);
        };
        paint();
        setInterval(paint, 1000 / 15);
        tracks.push(...canvas.captureStream(15).getVideoTracks());
      }
      if (constraints?.audio) {
        const audio = new AudioContext();
        const oscillator = audio.createOscillator();
        oscillator.frequency.value = toneHz;
        const destination = audio.createMediaStreamDestination();
        oscillator.connect(destination);
        oscillator.start();
        tracks.push(...destination.stream.getAudioTracks());
      }
      return new MediaStream(tracks);
    };
  }, media);
}

/** The [r, g, b] of the picture a <video> shows now, at each point (fractions of its size). */
export function coloursAt(
  page: Page,
  videoSelector: string,
  points: readonly (readonly [x: number, y: number])[],
): Promise<[number, number, number][]> {
  return page.evaluate(
    ([selector, wanted]) => {
      const video = document.querySelector(selector) as HTMLVideoElement | null;
      if (!video || video.videoWidth === 0) return wanted.map(() => [0, 0, 0]);
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      context.drawImage(video, 0, 0);
      return wanted.map(([x, y]) => {
        const [r = 0, g = 0, b = 0] = context.getImageData(
          Math.floor(x * canvas.width),
          Math.floor(y * canvas.height),
          1,
          1,
        ).data;
        return [r, g, b];
      });
    },
    [videoSelector, points] as const,
  ) as Promise<[number, number, number][]>;
}

/**
 * The loudest level (dBFS) heard at each frequency in the audio a <video> plays, over about a
 * second and a half: a tone in the stream stands some 50 dB above one that is not.
 */
export function toneLevels(
  page: Page,
  videoSelector: string,
  frequencies: readonly number[],
): Promise<number[]> {
  return page.evaluate(
    async ([selector, wanted]) => {
      const video = document.querySelector(selector) as HTMLVideoElement | null;
      const stream = video?.srcObject;
      if (!(stream instanceof MediaStream) || stream.getAudioTracks().length === 0) {
        return wanted.map(() => Number.NEGATIVE_INFINITY);
      }
      const audio = new AudioContext();
      try {
        const analyser = audio.createAnalyser();
        analyser.fftSize = 4096;
        analyser.smoothingTimeConstant = 0;
        audio.createMediaStreamSource(stream).connect(analyser);
        const spectrum = new Float32Array(analyser.frequencyBinCount);
        const binWidth = audio.sampleRate / analyser.fftSize;
        const levels = wanted.map(() => Number.NEGATIVE_INFINITY);
        for (let read = 0; read < 15; read++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          analyser.getFloatFrequencyData(spectrum);
          wanted.forEach((frequency, index) => {
            const bin = Math.round(frequency / binWidth);
            for (const near of [bin - 1, bin, bin + 1]) {
              levels[index] = Math.max(levels[index] ?? -Infinity, spectrum[near] ?? -Infinity);
            }
          });
        }
        return levels;
      } finally {
        await audio.close();
      }
    },
    [videoSelector, frequencies] as const,
  );
}
