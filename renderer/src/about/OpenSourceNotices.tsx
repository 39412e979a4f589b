import { useState } from 'react';
import { Button } from '../design/Button.js';
import { plural } from '../design/plural.js';
import type { OpenSourceNotice } from './openSourceNotice.js';

type Loaded = { status: 'closed' } | { status: 'loading' } | { status: 'shown'; notices: OpenSourceNotice[] } | { status: 'failed' };

/**
 * The open-source notices of everything the headset's software ships, made from its dependency
 * tree when it was built; loaded only when asked for (they are long), one folded entry a package.
 */
export function OpenSourceNotices() {
  const [state, setState] = useState<Loaded>({ status: 'closed' });
  const show = () => {
    setState({ status: 'loading' });
    import('virtual:open-source-notices').then(
      (module) => setState({ status: 'shown', notices: module.default }),
      () => setState({ status: 'failed' }),
    );
  };
  if (state.status === 'closed' || state.status === 'loading')
    return (
      <Button onClick={show} aria-disabled={state.status === 'loading'}>
        {state.status === 'loading' ? 'Loading the notices…' : 'Show the open-source notices'}
      </Button>
    );
  if (state.status === 'failed')
    return (
      <p className="error" role="alert">
        The notices could not be loaded. Restart the settings app and try again.
      </p>
    );
  return (
    <div className="notices" data-testid="open-source-notices">
      <p>
        Built with {plural(state.notices.length, 'open-source package', 'open-source packages')}. Each one’s license is below, as it came with the
        package.
      </p>
      <ul className="notices-list">
        {state.notices.map((notice) => (
          <li key={`${notice.name}@${notice.version}`}>
            <details className="oss-notice">
              <summary>
                <span className="oss-notice-name">{notice.name}</span> {notice.version} · {notice.license}
              </summary>
              <pre className="oss-notice-text">
                {notice.text ?? `The package comes without a license file; it declares the ${notice.license} license.`}
              </pre>
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}
