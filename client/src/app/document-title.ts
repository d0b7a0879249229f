import { NAV_ITEMS } from './navigation';

export const APP_TITLE = 'Steward';

/**
 * The tab's title: the area open, led by how many spends wait for the person, so a tab in the
 * background says when it needs them ("(2) Chat · Steward").
 */
export function documentTitle(pathname: string, approvalsWaiting: number): string {
  const area = NAV_ITEMS.find((item) => item.path !== '/' && (pathname === item.path || pathname.startsWith(`${item.path}/`)));
  const title = area ? `${area.label} · ${APP_TITLE}` : APP_TITLE;
  return approvalsWaiting > 0 ? `(${approvalsWaiting}) ${title}` : title;
}
