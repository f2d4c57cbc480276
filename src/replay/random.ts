// Seeded pseudo-random numbers for simulated streams: the one generator of src/stats, same seed, same stream.
export { SeededRandom } from '../stats/random.js';
