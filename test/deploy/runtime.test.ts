// One Node.js pin (.node-version): CI runs on it, the image's base images carry its major, @types/node
// follows it, and package.json's engines admit it.
import { describe, expect, it } from 'vitest';
import { dockerfileStages } from './helpers/dockerfile.js';
import { nodeMajorOf } from './helpers/images.js';
import { packageJson, pinnedNodeVersion } from './helpers/paths.js';

const pinned = pinnedNodeVersion();
const [major = NaN, minor = NaN] = pinned.split('.').map(Number);

describe('the Node.js pin', () => {
  it('.node-version is a full release version', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('package.json engines admit it (a >= range whose floor is at or below it)', () => {
    const floor = /^>=(\d+)(?:\.(\d+))?$/.exec(packageJson().engines.node);
    expect(floor, packageJson().engines.node).not.toBeNull();
    const [, floorMajor, floorMinor = '0'] = floor as RegExpExecArray;
    expect(major > Number(floorMajor) || (major === Number(floorMajor) && minor >= Number(floorMinor))).toBe(true);
  });

  it('@types/node follows its major', () => {
    expect(packageJson().devDependencies['@types/node']).toMatch(new RegExp(`^[\\^~]?${major}\\.`));
  });

  it('every base image of the Dockerfile is on its major', () => {
    for (const stage of dockerfileStages()) expect(nodeMajorOf(stage.from), stage.from).toBe(major);
  });

  it.runIf(process.env.CI)('is the Node.js this suite runs on in CI (.ci/node.sh puts it first on PATH)', () => {
    expect(process.version).toBe(`v${pinned}`);
  });
});
