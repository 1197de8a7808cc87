/**
 * The configurations the web chat benchmark runs Tawasul in: `embedded` (SQLite in the data
 * directory, quotas and locks in process: `npm start`) and `postgres` (TAWASUL_DATABASE_URL and
 * TAWASUL_REDIS_URL on a PostgreSQL and a redis-server started on loopback for the run, a fresh
 * database per store: the deployment of compose.yaml, one instance).
 */
import { hasPostgres, type PostgresServer, startPostgres } from '../helpers/postgres-server.js';
import { hasRedis, type RedisServer, startRedis } from '../helpers/redis-server.js';

/** A configuration of the Tawasul target. */
export interface BenchConfig {
  name: string;
  /** Stores it can be measured on (the pre-filled ones are generated as SQLite files: embedded only). */
  stores: (wanted: string[]) => string[];
  /** The environment of its target on `store`. */
  env(store: string): Promise<Record<string, string>>;
}

/** The configurations named in `names` that can run here, the servers they need started, and their stop. */
export async function benchConfigs(names: string[], say: (line: string) => void): Promise<{ configs: BenchConfig[]; stop(): Promise<void> }> {
  const configs: BenchConfig[] = [];
  const servers: Array<PostgresServer | RedisServer> = [];
  if (names.includes('embedded')) configs.push({ name: 'embedded', stores: (w) => w, env: async () => ({}) });
  if (names.includes('postgres')) {
    if (!hasPostgres || !hasRedis) {
      say('  postgres: skipped (PostgreSQL or redis-server not installed: apt-get install postgresql redis-server)');
    } else {
      const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
      servers.push(pg, redis);
      say(`  postgres: PostgreSQL and redis-server started on loopback (ports ${new URL(pg.url).port}, ${redis.port})`);
      configs.push({
        name: 'postgres',
        stores: (w) => w.filter((s) => s === 'empty'),
        env: async (store) => ({ TAWASUL_DATABASE_URL: await pg.createDatabase(`bench_${store}_${Date.now()}`), TAWASUL_REDIS_URL: redis.url }),
      });
    }
  }
  return {
    configs,
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
