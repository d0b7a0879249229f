import { create } from 'zustand';

/** UI-only state: nothing here is a copy of server data. */
interface UiState {
  navOpen: boolean;
  toggleNav(): void;
  closeNav(): void;
}

export const useUiStore = create<UiState>((set) => ({
  navOpen: false,
  toggleNav: () => set((s) => ({ navOpen: !s.navOpen })),
  closeNav: () => set({ navOpen: false }),
}));
