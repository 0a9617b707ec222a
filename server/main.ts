// Entry point of dist/server.js. The transport comes from the command line (--stdio, --node-ipc, --socket=N).

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
