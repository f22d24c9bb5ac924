import { DefaultLogger, Runtime } from '@temporalio/worker';

// Each test process shows the Temporal SDK's warnings and errors, not its routine state changes.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}
