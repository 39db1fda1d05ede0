/* Where the kiosk's other parts find voice guidance (kiosk-voice.js). kiosk-voice.js loads after
   kiosk.js, kiosk-status.js and kiosk-survey.js and registers itself here; until then, or on a page
   without it, get() answers null. Read it when it is needed, never at load time. */

let voice = null;

export const voiceLink = {
  set(api) { voice = api; },
  get: () => voice,
  // The voice layer when voice mode is on, else null.
  active: () => (voice && voice.active ? voice : null),
};
