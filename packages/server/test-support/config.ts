import { type Config, loadConfig } from '../src/config.ts'

/** AURION_SECRET of test servers (32+ characters, as the config requires). */
export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef'

/** The server's config from a test environment: silent logs, {@link TEST_SECRET}, `env` on top. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    AURION_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    AURION_DATA_DIR: '/tmp/aurion-test-unused',
    ...env,
  })
}
