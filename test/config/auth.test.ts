import { describe, expect, it } from 'vitest';
import { authSchema, credentialsFromEnv, ONE_AUTH_MODE } from '../../src/config/auth.js';
import { validateConfig } from '../../src/config/load.js';

/** The one-line message a user sees, as the config loader prints it. */
function problem(auth: unknown): string {
  const result = authSchema.safeParse(auth);
  if (result.success) throw new Error(`expected ${JSON.stringify(auth)} to be refused`);
  expect(result.error.issues).toHaveLength(1);
  const issue = result.error.issues[0]!;
  return [...issue.path.map(String), issue.message].join(': ');
}

describe('authSchema', () => {
  it('reads each mode', () => {
    expect(authSchema.parse({ token: 'tok' })).toEqual({ kind: 'token', token: 'tok' });
    expect(authSchema.parse({ token_file: '/run/token' })).toEqual({ kind: 'token_file', file: '/run/token' });
    expect(authSchema.parse({ access_key: 'AK', secret_key: 'SK' })).toEqual({
      kind: 'access_key', accessKey: { value: 'AK' }, secretKey: { value: 'SK' },
    });
    expect(authSchema.parse({ access_key_file: '/s/ak', secret_key_file: '/s/sk', security_token_file: '/s/st' })).toEqual({
      kind: 'access_key', accessKey: { file: '/s/ak' }, secretKey: { file: '/s/sk' }, securityToken: { file: '/s/st' },
    });
    expect(authSchema.parse({ access_key: 'AK', secret_key_file: '/s/sk', security_token: 'ST' })).toEqual({
      kind: 'access_key', accessKey: { value: 'AK' }, secretKey: { file: '/s/sk' }, securityToken: { value: 'ST' },
    });
    expect(authSchema.parse({ iam: { domain_name: 'acme', user_name: 'exporter', password: 'pw' } })).toEqual({
      kind: 'iam', endpoint: undefined, domainName: 'acme', userName: 'exporter', password: { value: 'pw' },
    });
    expect(
      authSchema.parse({ iam: { endpoint: 'http://127.0.0.1:9000/', domain_name: 'd', user_name: 'u', password_file: '/s/pw' } }),
    ).toMatchObject({ kind: 'iam', endpoint: 'http://127.0.0.1:9000', password: { file: '/s/pw' } });
  });

  it('names the keys that go together when the mode is missing or ambiguous', () => {
    expect(problem({})).toBe(ONE_AUTH_MODE);
    expect(ONE_AUTH_MODE).toBe('give exactly one of token, token_file, access_key+secret_key (or their _file forms), iam');
    expect(problem({ token: 't', token_file: '/f' })).toBe(`token and token_file cannot be combined: ${ONE_AUTH_MODE}`);
    expect(problem({ token: 't', access_key: 'AK', secret_key: 'SK' })).toBe(
      `token and access_key+secret_key cannot be combined: ${ONE_AUTH_MODE}`,
    );
    expect(problem({ secret_key: 'SK', iam: { domain_name: 'd', user_name: 'u', password: 'p' } })).toBe(
      `access_key+secret_key and iam cannot be combined: ${ONE_AUTH_MODE}`,
    );
  });

  it('says what an incomplete or doubled key pair lacks', () => {
    expect(problem({ access_key: 'AK' })).toBe('access_key needs secret_key (or secret_key_file)');
    expect(problem({ secret_key_file: '/s/sk' })).toBe('secret_key needs access_key (or access_key_file)');
    expect(problem({ security_token: 'ST' })).toBe('security_token goes with access_key+secret_key');
    expect(problem({ access_key: 'AK', access_key_file: '/s/ak', secret_key: 'SK' })).toBe(
      'give access_key or access_key_file, not both',
    );
    expect(problem({ access_key: 'AK', secret_key: 'SK', security_token: 'a', security_token_file: '/b' })).toBe(
      'give security_token or security_token_file, not both',
    );
  });

  it('checks the iam block', () => {
    expect(problem({ iam: { domain_name: 'd', user_name: 'u' } })).toBe('iam: needs password or password_file');
    expect(problem({ iam: { domain_name: 'd', user_name: 'u', password: 'p', password_file: '/f' } })).toBe(
      'iam: give password or password_file, not both',
    );
    expect(problem({ iam: { endpoint: 'ftp://iam', domain_name: 'd', user_name: 'u', password: 'p' } })).toBe(
      'iam: endpoint: not an http(s) URL',
    );
    expect(problem({ iam: { domain_name: 'd', password: 'p' } })).toMatch(/^iam: user_name: /);
  });

  it('refuses unknown keys and empty values', () => {
    expect(problem({ tokn: 'x' })).toMatch(/tokn/);
    expect(problem({ token: '' })).toMatch(/^token: /);
  });

  it('reaches the user as one line through the config loader, for the global and a target block', () => {
    const target = { project_id: 'p1', region: 'ap-southeast-1' };
    expect(() => validateConfig({ auth: { access_key: 'AK' }, targets: [target] }, 'c.yaml')).toThrow(
      /^c\.yaml: auth: access_key needs secret_key \(or secret_key_file\)$/,
    );
    const iam = { domain_name: 'd', user_name: 'u', password: 'secret-pw' };
    expect(() => validateConfig({ targets: [{ ...target, auth: { token: 't', iam } }] }, 'c.yaml')).toThrow(
      `c.yaml: targets[0].auth: token and iam cannot be combined: ${ONE_AUTH_MODE}`,
    );
    expect(() => validateConfig({ auth: { token: 't', tokn: 'x' }, targets: [target] }, 'c.yaml')).toThrow(
      /^c\.yaml: auth: unknown key "tokn"$/,
    );
    const config = validateConfig({ targets: [{ ...target, auth: { access_key: 'AK', secret_key: 'SK' } }] }, 'c.yaml');
    expect(config.targets[0]?.auth).toMatchObject({ kind: 'access_key' });
  });
});

describe('credentialsFromEnv', () => {
  it('reads the SDK environment variables', () => {
    expect(credentialsFromEnv({ HUAWEICLOUD_SDK_AK: 'AK', HUAWEICLOUD_SDK_SK: 'SK' })).toEqual({
      kind: 'access_key', accessKey: { value: 'AK' }, secretKey: { value: 'SK' },
    });
    expect(
      credentialsFromEnv({ HUAWEICLOUD_SDK_AK: ' AK\n', HUAWEICLOUD_SDK_SK: 'SK', HUAWEICLOUD_SDK_SECURITY_TOKEN: 'ST' }),
    ).toEqual({ kind: 'access_key', accessKey: { value: 'AK' }, secretKey: { value: 'SK' }, securityToken: { value: 'ST' } });
  });

  it('is undefined without them and a one-line error with only some', () => {
    expect(credentialsFromEnv({ PATH: '/bin', HUAWEICLOUD_SDK_AK: '' })).toBeUndefined();
    expect(() => credentialsFromEnv({ HUAWEICLOUD_SDK_AK: 'AK' })).toThrow('HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not');
    expect(() => credentialsFromEnv({ HUAWEICLOUD_SDK_SK: 'SK' })).toThrow('HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not');
    expect(() => credentialsFromEnv({ HUAWEICLOUD_SDK_SECURITY_TOKEN: 'ST' })).toThrow(/^HUAWEICLOUD_SDK_SECURITY_TOKEN is set/);
  });

  it('never puts the secret key in its messages', () => {
    expect(() => credentialsFromEnv({ HUAWEICLOUD_SDK_SK: 'very-secret' })).toThrow(expect.objectContaining({
      message: expect.not.stringContaining('very-secret'),
    }));
  });
});
