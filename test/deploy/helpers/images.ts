// Base image names of the Dockerfile, as buildah and the stand-ins need them.

/** Debian's release numbers by suite name (node images name the suite, distroless the number). */
const DEBIAN_RELEASES: Record<string, number> = { bookworm: 12, trixie: 13 };

/** `node:24-trixie-slim` → `docker.io/library/node:24-trixie-slim`; a name with a registry stays as it is. */
export function qualifiedImageName(name: string): string {
  const [first = '', ...rest] = name.split('/');
  if (rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) return name;
  return `docker.io/${rest.length === 0 ? 'library/' : ''}${name}`;
}

/** The Node.js major an image name carries: node:<major>-… or …/nodejs<major>-…. */
export function nodeMajorOf(image: string): number | undefined {
  const match = /(?:^|\/)node:(\d+)[-.:]|\/nodejs(\d+)-/.exec(image);
  return match ? Number(match[1] ?? match[2]) : undefined;
}

/** The one Debian suite both stages are on (node:<v>-<suite>-slim, distroless …-debian<n>); throws when they differ. */
export function debianSuite(buildImage: string, runtimeImage: string): string {
  const suite = /-(\w+)-slim$/.exec(buildImage)?.[1];
  const release = Number(/-debian(\d+)(?::|$)/.exec(runtimeImage)?.[1]);
  if (!suite || DEBIAN_RELEASES[suite] === undefined) throw new Error(`${buildImage}: no known Debian suite in the tag`);
  if (DEBIAN_RELEASES[suite] !== release) throw new Error(`${buildImage} (Debian ${DEBIAN_RELEASES[suite]}) and ${runtimeImage} are on different Debian releases`);
  return suite;
}
