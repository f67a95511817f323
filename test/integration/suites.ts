// Every integration suite, in the order they run. New suites are added here.
import './activation.test';
import './chat.test';
import './functions.test';
import './mcpConfig.test';
import './vscodeTools.test';
import './assistants.test';
import './threads.test';
import './serverAssistants.test';
import './knowledge.test';
import './assistantTests.test';
