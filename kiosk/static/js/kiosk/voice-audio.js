/* Kiosk voice guidance, the sound: catalogue sentences as WAVs from /api/speech/<key>.wav played through
   Web Audio (the kiosk PC's own output), the browser's own Indonesian voice when the server has no
   espeak-ng (its 503 answer still says the text), else one chime; a short tone for a digit typed into a
   private entry on a speaker. Every request is logged in `spoken` (window.__spoken, the last 200).
   kiosk-voice.js owns the state it reads: voice.volume, voice.known (the catalogue's keys) and
   voice.generation (bumped to cut off what is being said). */

export const TONE = "tone";  // a short beep made here (Web Audio), logged in window.__spoken like a sentence
const LOG_LIMIT = 200;
const CLIP_TIMEOUT_MS = 15000;      // a clip that never reports its end does not stall the rest
const CHIME_URL = "/static/sounds/chime.wav";

export function createVoiceAudio({ voice, spoken }) {
  let context = null;
  let gain = null;
  let source = null;
  const clips = new Map();  // key -> Promise of {buffer} | {text} | null

  function audio() {
    if (!context) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return null;
      context = new Context();
      gain = context.createGain();
      gain.connect(context.destination);
    }
    gain.gain.value = voice.volume;
    if (context.state === "suspended") context.resume().catch(() => {});
    return context;
  }

  function clipUrl(key) {
    return `/api/speech/${encodeURIComponent(key)}.wav`;
  }

  function load(key) {
    if (!clips.has(key)) {
      const clip = fetch(clipUrl(key)).then(async (answer) => {
        if (answer.ok) {
          const ctx = audio();
          return ctx ? { buffer: await ctx.decodeAudioData(await answer.arrayBuffer()) } : null;
        }
        if (answer.status === 503) {  // no espeak-ng on the server: it still says what to read
          const body = await answer.json();
          return { text: body.error && body.error.text };
        }
        return null;
      }).catch(() => null);
      clip.then((loaded) => { if (!loaded) clips.delete(key); });  // try again next time
      clips.set(key, clip);
    }
    return clips.get(key);
  }

  function playBuffer(buffer) {
    return new Promise((resolve) => {
      const ctx = audio();
      const node = ctx.createBufferSource();
      const timer = setTimeout(resolve, buffer.duration * 1000 + 1000);
      node.buffer = buffer;
      node.connect(gain);
      node.onended = () => { clearTimeout(timer); resolve(); };
      source = node;
      node.start();
    });
  }

  function indonesianVoice() {
    if (!("speechSynthesis" in window)) return null;
    return speechSynthesis.getVoices().find((v) => /^id([-_]|$)/i.test(v.lang || "")) || null;
  }

  function speakInBrowser(text) {
    const browserVoice = indonesianVoice();
    if (!browserVoice || !text) return Promise.resolve(false);
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      const timer = setTimeout(() => resolve(true), CLIP_TIMEOUT_MS);
      utterance.voice = browserVoice;
      utterance.lang = "id-ID";
      utterance.volume = voice.volume;
      utterance.onend = () => { clearTimeout(timer); resolve(true); };
      utterance.onerror = () => { clearTimeout(timer); resolve(false); };
      speechSynthesis.speak(utterance);
    });
  }

  function chime() {
    return new Promise((resolve) => {
      const player = new Audio(CHIME_URL);
      player.volume = voice.volume;
      player.onended = resolve;
      player.onerror = resolve;
      player.play().catch(resolve);
    });
  }

  // A short beep (no sentence): confirms a digit typed into a private entry on a speaker.
  function tone() {
    return new Promise((resolve) => {
      const ctx = audio();
      if (!ctx) { resolve(); return; }
      const oscillator = ctx.createOscillator();
      const envelope = ctx.createGain();
      oscillator.frequency.value = 880;
      envelope.gain.setValueAtTime(0.0001, ctx.currentTime);
      envelope.gain.exponentialRampToValueAtTime(0.6, ctx.currentTime + 0.01);
      envelope.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.12);
      oscillator.connect(envelope);
      envelope.connect(gain);
      oscillator.start();
      oscillator.stop(ctx.currentTime + 0.13);
      setTimeout(resolve, 160);
    });
  }

  function silence() {
    voice.generation += 1;
    if (source) {
      try { source.stop(); } catch (error) { /* already ended */ }
      source = null;
    }
    if ("speechSynthesis" in window) speechSynthesis.cancel();
  }

  // Say a sequence of catalogue keys, cutting off whatever was being said. Unknown keys are dropped.
  function say(keys) {
    silence();
    const generation = voice.generation;
    const entries = keys.filter((key) => key === TONE || voice.known.has(key)).map((key) => {
      const entry = { key, url: key === TONE ? "" : clipUrl(key), at: Date.now(), via: "pending" };
      spoken.push(entry);
      if (spoken.length > LOG_LIMIT) spoken.splice(0, spoken.length - LOG_LIMIT);
      // every clip is fetched at once; playing follows in order
      return { entry, clip: key === TONE ? Promise.resolve(null) : load(key) };
    });
    (async () => {
      let chimed = false;
      for (const { entry, clip } of entries) {
        const loaded = await clip;
        if (generation !== voice.generation) { entry.via = "cut"; continue; }
        if (entry.key === TONE) {
          entry.via = "tone";
          await tone();
        } else if (loaded && loaded.buffer) {
          entry.via = "wav";
          await playBuffer(loaded.buffer);
        } else if (loaded && loaded.text && await speakInBrowser(loaded.text)) {
          entry.via = "speech";
        } else if (!chimed) {  // nothing can speak here: one chime tells the resident something changed
          chimed = true;
          entry.via = "chime";
          await chime();
        } else {
          entry.via = "none";
        }
      }
    })().catch(() => {});
  }

  return { audio, say, silence };
}
