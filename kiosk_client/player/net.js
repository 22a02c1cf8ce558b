// Talking to the server: the manifest (ETag/304), pairing, and the live Socket.IO connection.
// Network failures are values here ({status: 'offline'}), never exceptions: a screen on a bad
// line must keep playing whatever the network does.

const MANIFEST_TIMEOUT_MS = 20000;
const SHORT_TIMEOUT_MS = 10000;

async function fetchWithTimeout(url, options, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await fetch(url, { ...options, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Returns the kiosk's manifest as `{status, manifest?, etag?, date?}`; status is
 * 'ok' (a new manifest), 'unchanged' (304), 'cached' (the service worker's copy: the network is
 * down), 'unauthorized' (the token is unknown or revoked) or 'offline'.
 */
export async function fetchManifest(token, etag) {
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  if (etag) headers['If-None-Match'] = etag;
  let response;
  try {
    response = await fetchWithTimeout('/kiosk/manifest', { headers, cache: 'no-store' }, MANIFEST_TIMEOUT_MS);
  } catch {
    return { status: 'offline' };
  }
  const date = response.headers.get('Date');
  if (response.status === 304) return { status: 'unchanged', date };
  if (response.status === 401) return { status: 'unauthorized' };
  if (!response.ok) return { status: 'offline' };
  try {
    const manifest = await response.json();
    if (!manifest || !Array.isArray(manifest.items)) return { status: 'offline' };
    if (response.headers.get('X-Kiosk-Offline') === '1') return { status: 'cached', manifest };
    return { status: 'ok', manifest, etag: response.headers.get('ETag'), date };
  } catch {
    return { status: 'offline' };
  }
}

/** Returns a new pairing request `{code, token, expires_at, pair_url}`, or null when the server cannot be reached. */
export async function requestPairing() {
  try {
    const response = await fetchWithTimeout('/kiosk/pairing', { method: 'POST', cache: 'no-store' }, SHORT_TIMEOUT_MS);
    if (response.status !== 201 && response.status !== 200) return null;
    const data = await response.json();
    return data && data.code && data.token ? data : null;
  } catch {
    return null;
  }
}

/** Returns 'paired', 'waiting', 'unknown' (expired or never issued) or 'offline'. */
export async function pairingStatus(pendingToken) {
  try {
    const response = await fetchWithTimeout('/kiosk/pairing/status', {
      headers: { Authorization: `Bearer ${pendingToken}` }, cache: 'no-store',
    }, SHORT_TIMEOUT_MS);
    if (response.status === 401 || response.status === 404) return 'unknown';
    if (!response.ok) return 'offline';
    const data = await response.json();
    return data?.paired ? 'paired' : 'waiting';
  } catch {
    return 'offline';
  }
}

/**
 * The live connection to the `/kiosk` namespace. socket.io-client reconnects by itself with a
 * jittered exponential backoff capped at 60 s; when the server *refuses* the socket (unknown or
 * revoked token), or disconnects it, the library stops and `onRefused` decides what follows.
 */
export class KioskSocket {
  constructor({ url, token, onConnect, onDisconnect, onRefused, onEvent }) {
    Object.assign(this, { url, token, onConnect, onDisconnect, onRefused, onEvent });
    this.socket = null;
    this.closed = false;
  }

  /** Loads socket.io-client and connects; resolves false if the library could not be loaded. */
  async start() {
    let io;
    try {
      ({ io } = await import(this.url));
    } catch (error) {
      console.warn('kiosk: socket.io-client unavailable', error);
      return false;
    }
    if (this.closed) return true;
    const socket = io('/kiosk', {
      auth: { token: this.token },
      transports: ['websocket'],
      reconnectionDelay: 1000,
      reconnectionDelayMax: 60000,
      randomizationFactor: 0.5,
    });
    this.socket = socket;
    socket.on('connect', () => this.onConnect());
    socket.on('disconnect', (reason) => {
      this.onDisconnect(reason);
      // The server closed this socket on purpose: the library will not come back by itself.
      if (reason === 'io server disconnect') this.onRefused();
    });
    socket.on('connect_error', (error) => {
      this.onDisconnect('connect_error');
      if (!socket.active) this.onRefused(error);
    });
    for (const name of ['manifest', 'alert', 'alert_cancel', 'command']) {
      socket.on(name, (data) => this.onEvent(name, data));
    }
    return true;
  }

  get connected() {
    return Boolean(this.socket?.connected);
  }

  /** Connects again (after a refusal that turned out not to be about the token). */
  reconnect() {
    if (!this.closed && this.socket && !this.socket.connected) this.socket.connect();
  }

  /** Sends an event if connected; returns whether it was sent. */
  emit(name, data) {
    if (!this.connected) return false;
    this.socket.emit(name, data);
    return true;
  }

  /** Sends an event and resolves true once the server acknowledged it (false on timeout). */
  emitWithAck(name, data, timeoutMs = 15000) {
    if (!this.connected) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.socket.timeout(timeoutMs).emit(name, data, (error) => resolve(!error));
    });
  }

  /** Sends an event and resolves to the server's answer (undefined when not connected or on timeout). */
  call(name, data, timeoutMs = 15000) {
    if (!this.connected) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.socket.timeout(timeoutMs).emit(name, data, (error, answer) => resolve(error ? undefined : answer));
    });
  }

  close() {
    this.closed = true;
    this.socket?.disconnect();
    this.socket?.removeAllListeners();
    this.socket = null;
  }
}
