// The `keel context …` and `keel user …` commands (package.json `keel.cli`).
import { defineCommands } from '@keel/plugin-sdk';
import { contextCommands } from './context-commands.js';
import { userCommands } from './user-commands.js';

export default defineCommands([...contextCommands, ...userCommands]);
