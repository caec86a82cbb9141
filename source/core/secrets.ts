/**
 * Every secret the process learns (tokens, cookies) is registered here, and
 * everything that leaves the process as text (logs, errors, exports, metrics)
 * goes through redact(). Registering at the point of loading means no caller
 * has to remember which strings are sensitive.
 */
const known = new Set<string>();

/** Shortest value worth redacting; shorter strings would mangle ordinary text. */
const minimumLength = 8;

/** Remember a secret so that redact() hides it from now on. */
export function registerSecret(value: string | undefined | null): void {
	if (!value || value.length < minimumLength) return;
	known.add(value);
	// A Cookie header holds several secrets; each value can leak on its own.
	for (const part of value.split(';')) {
		const eq = part.indexOf('=');
		const cookieValue = eq === -1 ? '' : part.slice(eq + 1).trim();
		if (cookieValue.length >= minimumLength) known.add(cookieValue);
	}
	// JWTs: the signature alone is enough to be dangerous in some setups.
	for (const piece of value.split('.')) {
		if (piece.length >= 20) known.add(piece);
	}
}

/** Replace every registered secret, and anything shaped like a JWT, with `[redacted]`. */
export function redact(text: string): string {
	let out = text;
	// Longest first, so a whole token is replaced before its pieces.
	for (const secret of [...known].sort((a, b) => b.length - a.length)) {
		if (out.includes(secret)) out = out.split(secret).join('[redacted]');
	}
	return out.replace(/eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}/g, '[redacted]');
}

/** Forget every registered secret (tests only). */
export function forgetSecrets(): void {
	known.clear();
}
