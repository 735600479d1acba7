// meterscope service worker: the built files are cached at install, so the
// page opens and decodes offline. The list below is written by
// scripts/sw-cache-list.sh (Trunk post_build hook) with the hashed file names.
// Nothing here talks to any host but the page's own.
const FILES = [/*FILES*/];
const CACHE = 'meterscope-' + '/*VERSION*/';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => Promise.all(FILES.map((f) => cache.add(f).catch(() => undefined))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    // A page's request starts while the worker itself starts (navigation preload).
    Promise.resolve(self.registration.navigationPreload?.enable())
      .catch(() => undefined)
      .then(() => caches.keys())
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('meterscope-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    // A page: fresh when online, cached when not. Each page is kept under its
    // own address (the app shell, the embed page, the embed frame), without
    // the query; the fragment never reaches here.
    const key = url.origin + url.pathname;
    event.respondWith(
      Promise.resolve(event.preloadResponse)
        .catch(() => undefined)
        .then((preloaded) => preloaded || fetch(req))
        .then((res) => {
          const copy = res.clone();
          if (res.ok && !res.redirected) caches.open(CACHE).then((c) => c.put(key, copy));
          return res;
        })
        .catch(() => cachedPage(url)),
    );
    return;
  }
  // Hashed assets never change: cache first, and cache what was fetched.
  event.respondWith(
    caches.match(req).then((hit) => hit || fetch(req).then((res) => {
      if (res.ok) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(req, copy));
      }
      return res;
    })),
  );
});

// The cached page for an address: itself, its directory's index.html, and
// for the app's own start address (with any query) the app shell.
async function cachedPage(url) {
  const path = url.origin + url.pathname;
  const tries = [path];
  if (path.endsWith('/')) tries.push(path + 'index.html');
  if (path.endsWith('/index.html')) tries.push(path.slice(0, -'index.html'.length));
  const scope = new URL('./', self.location.href).href;
  if (path === scope || path === scope + 'index.html') tries.push(scope, scope + 'index.html');
  for (const t of tries) {
    const hit = await caches.match(t);
    if (hit) return hit;
  }
  return Response.error();
}
