export { VenueBroker, VENUE_DEFAULT_KEY_ID, VENUE_DEFAULT_SECRET_KEY, type VenueBrokerOptions } from './venue-broker.js';
export {
  accountFromAlpaca,
  alpacaOrderRequest,
  fillFromAlpaca,
  orderFromAlpaca,
  orderTypeFromAlpaca,
  positionFromAlpaca,
  statusFromAlpaca,
  type AlpacaAccount,
  type AlpacaFill,
  type AlpacaOrder,
  type AlpacaOrderRequest,
  type AlpacaPosition,
} from './alpaca-convert.js';
export { VenueHttp, type FetchFunction, type VenueAnswer } from './venue-http.js';
