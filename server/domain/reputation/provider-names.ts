/**
 * Provider names as a person reads them. A payment, dispute or claim keeps only its provider's id (what
 * the money went to); views name the provider from the catalog while it is listed there, else from the
 * task steps that paid it (the name the person approved, kept after the provider left the catalog),
 * else by its id.
 */

/** Where names come from; `viewer` is the person whose view it is, null for an operator's view. */
export interface ProviderNameSources {
  /**
   * Provider id -> name from the catalog this viewer sees, configured providers winning over ones a
   * person added (so an added manifest cannot rename a configured provider); operators: configured only.
   */
  catalogNames(viewer: string | null): ReadonlyMap<string, string>;
  /** The name on the latest task step that paid this provider (the viewer's own steps; anyone's for operators). */
  stepName(viewer: string | null, providerId: string): string | null;
}

/** A view's name for each provider id it shows (memoised for one view). */
export type ProviderNameOf = (providerId: string) => string;

export interface ProviderNames {
  for(viewer: string | null): ProviderNameOf;
}

/** The one rule for what a person reads: the name when there is one, the id otherwise. */
export function providerDisplayName(providerId: string, name: string | null | undefined): string {
  const trimmed = name?.trim();
  return trimmed ? trimmed : providerId;
}

export function createProviderNames(sources: ProviderNameSources): ProviderNames {
  return {
    for(viewer) {
      let listed: ReadonlyMap<string, string> | null = null;
      const known = new Map<string, string>();
      return (providerId) => {
        const remembered = known.get(providerId);
        if (remembered !== undefined) return remembered;
        listed ??= sources.catalogNames(viewer);
        // The step query runs only for a provider the catalog no longer lists.
        const name = providerDisplayName(providerId, listed.get(providerId) ?? sources.stepName(viewer, providerId));
        known.set(providerId, name);
        return name;
      };
    },
  };
}
