// The video lesson player's one script: report the stretches actually played, show the share
// watched as the school computed it. A seek plays nothing, so it never counts as watching.
(() => {
  "use strict";
  const video = document.getElementById("player");
  const progress = document.getElementById("progress");
  if (!video || !progress) return;
  const { course, file, api, xsrf } = video.dataset;
  const doneAt = Number(progress.dataset.doneAt);
  const headers = { "Content-Type": "application/json", "X-XSRFToken": xsrf };
  let from = null; // where the stretch being played began
  let last = null; // the last position seen while playing it
  let played = []; // stretches not yet sent
  let sending = false;

  const close = () => {
    if (from !== null && last !== null && last > from) played.push([from, last]);
    from = null;
    last = null;
  };
  const begin = () => {
    if (!video.paused && !video.seeking) {
      from = video.currentTime;
      last = from;
    }
  };
  video.addEventListener("playing", begin);
  video.addEventListener("seeked", begin);
  video.addEventListener("seeking", close);
  // stopped while playing on: the stretch runs to where it stopped (a seek closed it before)
  const stopped = () => {
    if (from !== null && video.currentTime >= last) last = video.currentTime;
    close();
    send();
  };
  video.addEventListener("pause", stopped);
  video.addEventListener("ended", stopped);
  // a seek always says so ("seeking", then "seeked"): the stretch ends where the seek began,
  // however far apart two time updates are on a busy machine
  video.addEventListener("timeupdate", () => {
    if (from === null || video.paused || video.seeking) return;
    const now = video.currentTime;
    if (now < last) { // back at the start (a loop): a new stretch
      close();
      begin();
      return;
    }
    last = now;
  });

  const show = (lesson) => {
    const done = lesson.status === "done";
    progress.textContent = `Watched ${Math.round(100 * lesson.watched)}%` + (done ? " · done" : "");
    progress.classList.toggle("done", done);
    progress.dataset.status = lesson.status;
  };

  async function send() {
    if (from !== null && last !== null && last > from) { // split the stretch being played
      played.push([from, last]);
      from = last;
    }
    if (sending || played.length === 0) return;
    sending = true;
    const segments = played.splice(0, 200);
    const event = { course_id: course, kind: "watch", notebook: file, segments };
    try {
      const r = await fetch(`${api}me/activity`, {
        method: "POST", headers, credentials: "same-origin", keepalive: true,
        body: JSON.stringify({ events: [event] }),
      });
      if (!r.ok) throw new Error(`${r.status}`);
      const mine = await fetch(`${api}me/activity?course=${encodeURIComponent(course)}`, {
        headers, credentials: "same-origin",
      });
      if (mine.ok) {
        const lesson = (await mine.json()).lessons.find((l) => l.file === file);
        if (lesson) show(lesson);
      }
    } catch (e) {
      played = segments.concat(played); // kept for the next try
    } finally {
      sending = false;
    }
  }
  setInterval(send, 5000);
  document.addEventListener("visibilitychange", () => { if (document.hidden) { close(); send(); } });
  progress.dataset.ready = String(doneAt > 0);
})();
