// Following the kiosk's theme: the manifest names it, and a page drawn in another one navigates.

const THEME_SWITCH_KEY = 'kiosk.themeSwitch';

/** Navigates to `theme` when the page shows `current`; returns true if it does. */
export function switchTheme(theme, current) {
  if (!theme || theme === current || !/^[a-z0-9][a-z0-9_-]{0,39}$/.test(theme)) return false;
  // The server falls back to the default theme for an unknown name: ask once an hour at most,
  // or a screen would reload forever.
  const last = sessionStorage.getItem(THEME_SWITCH_KEY);
  const [lastTheme, at] = (last || '').split('@');
  if (lastTheme === theme && Date.now() - Number(at) < 3600000) return false;
  sessionStorage.setItem(THEME_SWITCH_KEY, `${theme}@${Date.now()}`);
  location.replace(`/kiosk?theme=${encodeURIComponent(theme)}`);
  return true;
}
