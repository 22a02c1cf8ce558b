// Seconds as the editors write them (notices and playlists): in the page's language, at most one
// decimal, put into a translated template such as "{s} giây".
const numbers = new Intl.NumberFormat(document.documentElement.lang || "vi", { maximumFractionDigits: 1 });

/** Returns `x` written in the page's language, with at most one decimal. */
export const formatSeconds = (x) => numbers.format(x);

/** Returns `template` with "{s}" replaced by `value` (a number is formatted first). */
export const fillSeconds = (template, value) =>
  template.replace("{s}", typeof value === "number" ? formatSeconds(value) : value);

/** Returns the data-* strings of the <template> `id` the server wrote in the officer's language. */
export function pageStrings(id) {
  const node = document.getElementById(id);
  return node ? node.dataset : null;
}
