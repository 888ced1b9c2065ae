/** Permission levels as people call them (SPEC section 1). */
const LEVEL_NAMES = ["User", "Moderator", "Admin", "Owner"] as const;

export function levelName(level: number): string {
  return LEVEL_NAMES[level] ?? `Level ${level}`;
}

export function visibilityLabel(visibility: "private" | "public" | "official"): string {
  return { private: "Private", public: "Public", official: "Official" }[visibility];
}
