// The secret detectors one by one: each provider's key format (siblings of the red-team cases),
// escape sequences as boundaries, random values next to secret-ish key names, parsed values and
// redaction — and the false-positive side: text shaped like what two real repositories hold
// (huggingface/alignment-handbook recipes, microsoft/promptflow flows, connections, .env.example
// files, swagger and generated Python), which must produce no finding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redactText, scanLabel, withoutUrlCredentials } from '../../src/core/secrets/secretLabels';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanFileDetailed, scanText } from '../../src/core/secrets/secretScan';
import { makeTempDir, removeDir } from './fixtures';
import { scanFlatValues, scanStructuredText, withSecretsRedacted } from '../../src/core/secrets/secretValues';

/** Random-looking text of `n` characters from `alphabet` (deterministic). */
function random(n: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', seed = 7): string {
	let x = seed;
	let out = '';
	for (let i = 0; i < n; i++) {
		x = (x * 48271) % 2147483647; // MINSTD: its high bits are uniform enough for this
		out += alphabet[Math.floor((x / 2147483647) * alphabet.length)];
	}
	return out;
}
const HEX = '0123456789abcdef';

function kinds(text: string, path = 'prompts/p.md'): string[] {
	return scanText(text, path).map((f) => `${f.line}:${f.kind}`);
}

describe('token formats (anywhere, prose included)', () => {
	const cases: Array<[string, string]> = [
		['Anthropic API key', 'sk-ant-' + 'api03-' + random(80)],
		['OpenAI-style API key (sk-…)', 'sk-' + random(48)],
		['OpenAI-style API key (sk-…)', 'sk-' + 'proj-' + random(100, undefined, 3)],
		['Google API key', 'AIza' + random(35)],
		['Google OAuth client secret', 'GOCSPX-' + random(28)],
		['Stripe key', 'sk_' + 'live_' + random(32)],
		['Stripe key', 'rk_' + 'live_' + random(32)],
		['Slack token', 'xoxb-' + '1234567890-' + random(24)],
		['Slack webhook URL', 'https://hooks.slack.com/services/' + 'T0123ABCD/B0456EFGH/' + random(24)],
		['npm token', 'npm_' + random(36)],
		['GitLab token', 'glpat-' + random(20)],
		['GitHub token', 'ghp_' + random(36)],
		['GitHub token', 'github_pat_' + random(82)],
		['Hugging Face token', 'hf_' + random(34)],
		['AWS access key id', 'AKIA' + random(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')],
		['SendGrid API key', 'SG.' + random(22) + '.' + random(43)],
		['Groq API key', 'gsk_' + random(52)],
		['Replicate API token', 'r8_' + random(37)],
		['LangSmith API key', 'lsv2_' + 'pt_' + random(32, HEX) + '_' + random(10, HEX)],
		['Databricks token', 'dapi' + random(32, HEX)],
		['JSON Web Token', 'eyJhbGciOiJSUzI1NiJ9' + '.eyJzdWIiOiIxMjM0In0' + '.' + random(43)],
		['Azure storage account key', 'DefaultEndpointsProtocol=https;AccountName=acme;' + 'AccountKey=' + random(86) + '==;EndpointSuffix=core.windows.net'],
		['Azure shared access key', 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;' + 'SharedAccessKey=' + random(43) + '='],
		['password in a URL', 'postgres://' + 'app:' + 'Tr0ub4dor3x' + '@db.internal:5432/app'],
		['password in a URL', 'mongodb+srv://' + 'svc:' + random(16) + '@cluster0.example.net/db'],
		['password in a connection string', 'Server=tcp:acme.database.windows.net;User ID=app;' + 'Password=' + 'Tr0ub4dor3x;'],
		['private key block', '-----BEGIN ' + 'OPENSSH PRIVATE KEY-----'],
		['private key block', '-----BEGIN ' + 'ENCRYPTED PRIVATE KEY-----'],
		['private key (base64 PKCS#8/PKCS#1 body)', 'MIIEvQ' + 'IBADANBgkqhkiG9w0BAQEFAASC' + random(40)],
		['Authorization header credential', 'Authorization: Bearer ' + random(40, HEX + 'ABCDEF')],
	];
	for (const [kind, secret] of cases) {
		test(`${kind}: ${secret.slice(0, 12)}…`, () => {
			const found = scanText(`Some prose before.\nThe value is ${secret} and more.\n`, 'prompts/p.md');
			assert.equal(found.length, 1, JSON.stringify(found));
			assert.equal(found[0].kind, kind);
			assert.equal(found[0].line, 2);
		});
	}

	test('escape sequences are boundaries: \\n, \\t, \\r, \\u000a and %0A before a token', () => {
		const gh = 'ghp_' + random(36);
		for (const before of ['\\n', '\\t', '\\r', '\\u000a', '%0A', '%3D']) {
			assert.deepEqual(kinds(`{"a": "x${before}${gh}"}`, 'c.json'), ['1:GitHub token'], before);
		}
		assert.deepEqual(kinds(`"id\\tAKIA${random(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}"`), ['1:AWS access key id']);
		// …but a token character right before still means "part of a longer identifier".
		assert.deepEqual(kinds(`xghp_${random(36)}`), []);
	});

	test('a base64-wrapped private key, at any alignment, wrapped at 76 columns or not', () => {
		const pem = '-----BEGIN ' + 'PRIVATE KEY-----\n' + random(64) + '\n-----END PRIVATE KEY-----\n';
		for (const prefix of ['', 'x', 'xy']) {
			const b64 = Buffer.from(prefix + pem).toString('base64');
			assert.deepEqual(kinds(`key: ${b64}\n`, 'k.txt'), ['1:base64-encoded private key'], prefix);
			const wrapped = b64.match(/.{1,76}/g)!.join('\n');
			assert.deepEqual(kinds(wrapped, 'k.txt'), ['1:base64-encoded private key'], `${prefix} wrapped`);
		}
	});

	test('AWS secret keys by entropy next to a secret-ish key name, in prose and config', () => {
		const secret = random(20) + '/' + random(19, undefined, 11);
		assert.equal(secret.length, 40);
		assert.deepEqual(kinds(`Set aws_secret_access_key=${secret} first.`), ['1:AWS secret access key (under `aws_secret_access_key`)']);
		assert.deepEqual(kinds(`s3_secret_value: ${secret}\n`, 'c.yaml'), ['1:AWS secret access key (under `s3_secret_value`)']);
		assert.deepEqual(kinds(`"s3SecretValue": "${secret}"`, 'c.json'), ['1:AWS secret access key (under `s3SecretValue`)']);
		// The same key name with a non-random value is not reported.
		assert.deepEqual(kinds('s3_secret_value: name-of-the-secret-in-vault\n', 'c.yaml'), []);
	});
});

describe('parsed values', () => {
	test('every syntax reaches the value rules: minified JSON, flow map, block scalar, alias, TOML inline table', () => {
		const pw = 'Zq8' + 'pLm2vR7wXk';
		const docs: Array<[string, string]> = [
			['a.json', `{"db":{"password":"${pw}"}}`],
			['a.yaml', `db: {password: ${pw}}`],
			['a.yaml', `db:\n  password: >-\n    ${pw}\n`],
			['a.yaml', `x: &p ${pw}\ndb:\n  password: *p\n`],
			['a.toml', `db = { password = "${pw}" }`],
		];
		for (const [path, text] of docs) {
			const found = scanStructuredText(text, path);
			assert.ok(found.length >= 1, `${path}: ${text}`);
			assert.ok(found.every((f) => f.kind === 'literal value for `db.password`' || f.kind === 'literal value for `password`'), JSON.stringify(found));
		}
	});

	test('a numeric password is a password; other numbers are not', () => {
		assert.equal(scanFlatValues({ 'db.password': 84736251 }).length, 1);
		assert.deepEqual(scanFlatValues({ 'db.port': 5432, max_tokens: 600, 'training.seed': 84736251 }), []);
	});

	test('an .env text held in a block scalar is scanned line by line', () => {
		assert.equal(scanFlatValues({ env: 'CHUNK_SIZE=512\nDB_PASSWORD=Tr0ub4dor3x\n' }).length, 1);
	});

	test('redaction: the value (and any copy of it) becomes [redacted: kind]; a token used as a key hides the key', () => {
		const gh = 'ghp_' + random(36);
		const { values, findings } = withSecretsRedacted({ 'auth.token': gh, mirror: gh, top_k: 8, [`users.${gh}`]: 'admin' });
		assert.equal(findings.length, 3);
		assert.deepEqual(values, { 'auth.token': '[redacted: GitHub token]', mirror: '[redacted: GitHub token]', top_k: 8, '[redacted key 1]': '[redacted: GitHub token in a key name]' });
	});
});

describe('messages, branch names, remotes', () => {
	test('scanLabel finds tokens and key=literal text; redactText keeps the rest', () => {
		const key = 'sk-' + 'proj-' + random(40);
		assert.equal(scanLabel(`retrain with ${key}`, '-m message')[0].kind, 'OpenAI-style API key (sk-…)');
		assert.equal(redactText(`retrain with ${key} today`), 'retrain with [redacted] today');
		assert.deepEqual(scanLabel('bump chunk_size: 512 and max_tokens: 600', '-m message'), []);
		assert.equal(withoutUrlCredentials('https://bot:' + 'tok' + '@github.com/a/b.git'), 'https://github.com/a/b.git');
		assert.equal(withoutUrlCredentials('git@github.com:a/b.git'), 'git@github.com:a/b.git');
	});
});

describe('false positives: text shaped like real repositories (no finding)', () => {
	test('alignment-handbook recipes: model ids, chat templates, tokenizer tokens, hub ids, wandb', () => {
		const recipe = [
			'model_name_or_path: mistralai/Mistral-7B-v0.1',
			'model_revision: main',
			'torch_dtype: bfloat16',
			`chat_template: "{% for message in messages %}\\n{% if message['role'] == 'user' %}\\n{{ '<|user|>\\n' + message['content'] + eos_token }}\\n{% endif %}{% endfor %}"`,
			'dataset_mixture:',
			'  datasets:',
			'    - id: HuggingFaceH4/ultrachat_200k',
			'      split: train_sft',
			'hub_model_id: zephyr-7b-sft-full',
			'hub_strategy: every_save',
			'eos_token: "</s>"',
			'pad_token: "<unk>"',
			'use_auth_token: true',
			'hub_token: null',
			'report_to:',
			'- wandb',
			'output_dir: data/zephyr-7b-sft-full',
			'learning_rate: 2.0e-05',
			'max_seq_length: 2048',
		].join('\n');
		assert.deepEqual(kinds(recipe, 'recipes/zephyr-7b-beta/sft/config_full.yaml'), []);
		assert.deepEqual(scanStructuredText(recipe, 'recipes/zephyr-7b-beta/sft/config_full.yaml'), []);
		const accelerate = 'compute_environment: LOCAL_MACHINE\ndeepspeed_config:\n  deepspeed_multinode_launcher: standard\n  zero3_init_flag: true\nmain_process_port: 29500\n';
		assert.deepEqual(kinds(accelerate, 'recipes/accelerate_configs/zero3.yaml'), []);
	});

	test('promptflow: connection files, flow.dag.yaml, .env.example, prompts', () => {
		const connection = '$schema: https://azuremlschemas.azureedge.net/promptflow/latest/AzureOpenAIConnection.schema.json\nname: open_ai_connection\ntype: azure_open_ai\napi_key: "<user-input>"\napi_base: "aoai-api-endpoint"\napi_type: "azure"\n';
		assert.deepEqual(kinds(connection, 'examples/connections/azure_openai.yml'), []);
		const custom = 'name: my_custom_connection\ntype: custom\nconfigs:\n  api_base: "This is a fake api base."\nsecrets:\n  api_key: "to_replace_with_api_key"  # Secret type.\n';
		assert.deepEqual(kinds(custom, 'custom.yml'), []);
		assert.deepEqual(scanStructuredText(custom, 'custom.yml'), []);
		const dag = 'inputs:\n  question:\n    type: string\nnodes:\n- name: classify_with_llm\n  type: llm\n  source:\n    type: code\n    path: classify_with_llm.jinja2\n  inputs:\n    deployment_name: gpt-35-turbo\n    max_tokens: 128\n  connection: open_ai_connection\n  api: chat\n';
		assert.deepEqual(kinds(dag, 'flow.dag.yaml'), []);
		const env = 'DEFAULT_SUBSCRIPTION_ID="your-subscription-id"\nDEFAULT_RESOURCE_GROUP_NAME="your-resource-group-name"\nAZURE_OPENAI_API_KEY=\nAZURE_OPENAI_ENDPOINT=https://<your-resource>.openai.azure.com/\nPROMPT_FLOW_TEST_MODE="replay"\nCHUNK_SIZE=1024\n';
		assert.deepEqual(kinds(env, '.env.example'), []);
		const prompt = "system:\nYou are an AI assistant. Answer from the context.\n{% for i, c in context %}{{ c.text }}{% endfor %}\nuser:\n{{question}}\nIf they ask for a password: reset_it_via_portal\n";
		assert.deepEqual(kinds(prompt, 'qna_prompt.md'), []);
	});

	test('generated Python and swagger: identifiers next to auth/credential words are not secrets', () => {
		const py = [
			"_attribute_map = {'OAuth2': 'OAuth2AuthTypeWorkspaceConnectionProperties', 'PAT': 'PATAuthTypeWorkspaceConnectionProperties'}",
			'    :vartype credentials: ~azure.mgmt.machinelearningservices.models.WorkspaceConnectionOAuth2',
			'    token_credential = DefaultAzureCredential(exclude_interactive_browser_credential=False)',
			'    password = os.environ["DB_PASSWORD"]',
			'    api_key = get_secret_from_keyvault(secret_name="openai-api-key-prod-2024")',
			'    headers = {"Authorization": f"Bearer {token}"}',
		].join('\n');
		assert.deepEqual(kinds(py, 'src/_models.py'), []);
		const swagger = '{"securityDefinitions": {"azure_auth": {"type": "oauth2", "authorizationUrl": "https://login.microsoftonline.com/common/oauth2/authorize", "flow": "implicit"}}}';
		assert.deepEqual(kinds(swagger, 'swagger.json'), []);
		assert.deepEqual(scanStructuredText(swagger, 'swagger.json'), []);
	});

	test('hashes, commit ids and model identifiers under key-ish names are not secrets', () => {
		const text = [
			`tokenizer_sha: ${random(64, HEX)}`,
			`secret_sha256: ${random(64, HEX)}`,
			`api_key_id: ${random(24, HEX)}`,
			'access_key_name: storage-account-key-1',
			'model_secret_name: projects/acme/secrets/openai-key/versions/3',
			'auth_endpoint: https://login.example.com/oauth2/v2.0/token',
			'token_limit: 4096',
		].join('\n');
		assert.deepEqual(kinds(text, 'c.yaml'), []);
	});
});

describe('cost', () => {
	test('the new detectors stay linear on long hostile lines (each under 1.5 s for 400,000 characters)', () => {
		const hostile = [
			'eyJ'.repeat(133_000),
			'eyJa.'.repeat(80_000),
			'MII'.repeat(133_000),
			'LS0tLS1CRUdJT'.repeat(30_000),
			';password='.repeat(40_000),
			'secret'.repeat(66_000),
			'a_secret_key: ' + 'Ab1'.repeat(130_000),
			'token=' + 'x9'.repeat(200_000),
			'Bearer '.repeat(57_000),
			'https://' + 'a:'.repeat(200_000),
			'\\n'.repeat(200_000) + 'ghp_' + random(36),
			'AKIA'.repeat(100_000),
			'sk-' + 'a1'.repeat(200_000),
			'OAuth2AuthType'.repeat(28_000),
		];
		for (const line of hostile) {
			for (const path of ['c.yaml', 'p.md']) {
				const started = process.hrtime.bigint();
				scanText(line, path);
				scanFlatValues({ [`k.${path}`]: line });
				const ms = Number(process.hrtime.bigint() - started) / 1e6;
				assert.ok(ms < 1500, `scanning a ${line.length}-character line (${line.slice(0, 12)}…) took ${ms.toFixed(0)} ms`);
			}
		}
	});
});

describe('file scans share their read buffers (issue 18 item 4)', () => {
	test("a small file scanned after a big one sees only its own bytes, never the bigger file's left in the buffer", () => {
		const dir = makeTempDir('scan-buffers');
		try {
			const token = `ghp_${'A1b2C3d4E5'.repeat(3)}123456`;
			// 1.5 MiB: the secret sits past the first MiB and in the first bytes, so both buffers hold one.
			const big = `${token}\n${'x'.repeat(1024 * 1024)}\n${token}\n`;
			writeFileSync(join(dir, 'big.md'), big);
			writeFileSync(join(dir, 'small.md'), 'hello\n');
			writeFileSync(join(dir, 'utf16.md'), Buffer.from('\ufeffplain text\n', 'utf16le'));
			assert.deepEqual(
				scanFileDetailed(join(dir, 'big.md'), 'big.md').findings.map((f) => f.line),
				[1, 3],
			);
			assert.deepEqual(scanFileDetailed(join(dir, 'small.md'), 'small.md'), { findings: [], bytes: 6, encoding: 'utf-8' });
			assert.deepEqual(scanFileDetailed(join(dir, 'utf16.md'), 'utf16.md').findings, []);
			assert.deepEqual(
				scanFileDetailed(join(dir, 'big.md'), 'big.md').findings.map((f) => f.line),
				[1, 3],
				'and the big one again finds the same',
			);
		} finally {
			removeDir(dir);
		}
	});
});

describe('prose is searched for hints, not scanned line by line (issue 18 item 4)', () => {
	test('a file scan finds what the line-by-line scan finds, at the same lines and columns, across chunk edges and long lines', () => {
		const dir = makeTempDir('scan-hints');
		try {
			const secrets = [`ghp_${'A1b2C3d4E5'.repeat(3)}123456`, 'postgres://app:Xk29vLq8Zt@db.internal:5432/prod', `api_token = "${random(32)}"`, `Authorization: Bearer ${random(40, undefined, 11)}`];
			const prose = 'Answer the question from the retrieved context; cite each source and keep the tone concise.';
			const lines: string[] = [];
			for (let i = 0; i < 40_000; i++) {
				// Secrets on the first line, every 997th line, a run of blank lines, and lines that only hint.
				if (i === 0 || i % 997 === 0) lines.push(`${prose.slice(0, i % 50)} ${secrets[i % secrets.length]} end`);
				else if (i % 501 === 0) lines.push('the keyword password appears here without a value');
				else if (i % 13 === 0) lines.push('');
				else lines.push(`${prose} ${i}`);
			}
			// A line longer than the 1 MiB window, with a secret past its first window, and a last line without a newline.
			lines.push(`${'word '.repeat(300_000)}${secrets[0]} tail`);
			lines.push(`last ${secrets[1]}`);
			const text = lines.join('\n');
			writeFileSync(join(dir, 'prompt.md'), text);
			const fromFile = scanFileDetailed(join(dir, 'prompt.md'), 'prompt.md').findings;
			const lineByLine = scanText(text, 'prompt.md');
			assert.ok(fromFile.length > 40, `found ${fromFile.length}`);
			assert.deepEqual(fromFile, lineByLine);
			assert.equal(fromFile.at(-1)?.line, lines.length);
		} finally {
			removeDir(dir);
		}
	});
});
