// The "sluice.*" settings as the server uses them: read per workspace folder from the client, with any value
// of the wrong type replaced by its default rather than trusted.

import { DEFAULT_SETTINGS, type SluiceSettings } from '../core/protocol';

export function normalizeSettings(raw: unknown): SluiceSettings {
  const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const text = (key: keyof SluiceSettings): string => {
    const v = value[key];
    return typeof v === 'string' ? v.trim() : DEFAULT_SETTINGS[key];
  };
  return {
    projectPath: text('projectPath'),
    warehousePath: text('warehousePath'),
    defaultEnvironment: text('defaultEnvironment') || DEFAULT_SETTINGS.defaultEnvironment,
  };
}
