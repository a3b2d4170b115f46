export { PaperVenue, VenueUnavailableError, isWorkingOrder, paperOrderType, type NewOrder, type Outcome, type PaperVenueOptions, type VenueAccount, type VenuePosition } from './paper-venue.js';
export { DEFAULT_VENUE_KEY_ID, DEFAULT_VENUE_SECRET_KEY, startVenueServer, type VenueServer, type VenueServerOptions } from './venue-server.js';
export { VENUE_KEY_ID_ENV, VENUE_SECRET_KEY_ENV, venueCommand, type VenueCommandOptions } from './venue-command.js';
export { DEFAULT_VENUE_SETTINGS } from './venue-settings.js';
export { VENUE_FILE, VenueStore } from './venue-store.js';
export type { VenueEvent, VenueFill, VenueOrder, VenueSettings, VenueSettingsInput } from './venue-types.js';
