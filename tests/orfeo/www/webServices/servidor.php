<?php
/*
 * An Orfeo double for the tests: the main line's webServices/servidor.php signatures
 * (nusoap, rpc/encoded, parameters by position), served by `php -S` over a SQLite file.
 *
 * The registrations below copy the public Orfeo forks' (carlosmoradev/orfeo384 and the
 * others sharing the main line) names, part order and types, including `xsd:base64binary`
 * with a lower-case b and `solicitarAnulacion` declared to return the undefined
 * `tns:string`. The functions keep the behaviour the client depends on, not Orfeo's SQL:
 * numbers are year + the receiving user's dependency + 6-digit sequence + type digit;
 * the file parts are base64 text the function decodes itself, as Orfeo's do.
 *
 * Tests steer it through the SQLite file named by ORFEO_DOUBLE_DB (tables faults and
 * control, see ../../schema.sql).
 */

require_once __DIR__ . '/../../php/nusoap_php8.php';

ini_set('display_errors', '0');  // a PHP error must never end up inside a SOAP answer
error_reporting(E_ALL & ~E_DEPRECATED & ~E_NOTICE & ~E_WARNING);

function orfeo_db(): PDO
{
    static $db = null;
    if ($db === null) {
        $db = new PDO('sqlite:' . getenv('ORFEO_DOUBLE_DB'));
        $db->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
        $db->setAttribute(PDO::ATTR_TIMEOUT, 30);
        $db->exec('PRAGMA busy_timeout = 30000');
    }
    return $db;
}

/* The first column of the first row (false: none), the statement closed at once: an open
 * one would keep SQLite's read lock while a slow answer sleeps. */
function orfeo_value(string $sql, array $params)
{
    $statement = orfeo_db()->prepare($sql);
    $statement->execute($params);
    $value = $statement->fetchColumn();
    $statement->closeCursor();
    return $value;
}

function orfeo_control(string $key, string $default = ''): string
{
    $value = orfeo_value('SELECT valor FROM control WHERE clave = ?', [$key]);
    return $value === false ? $default : (string)$value;
}

/* The fault this call gets ('' for none), taken from the faults table and logged. */
function orfeo_fault(string $operation): string
{
    $db = orfeo_db();
    $db->exec('BEGIN IMMEDIATE');
    $mode = '';
    $rows = $db->prepare(
        'SELECT id, modo, restantes, probabilidad FROM faults'
        . ' WHERE operacion = ? AND restantes != 0 ORDER BY id'
    );
    $rows->execute([$operation]);
    foreach ($rows->fetchAll(PDO::FETCH_ASSOC) as $fault) {
        if (mt_rand() / mt_getrandmax() >= (float)$fault['probabilidad']) {
            continue;
        }
        $mode = $fault['modo'];
        if ((int)$fault['restantes'] > 0) {
            $db->prepare('UPDATE faults SET restantes = restantes - 1 WHERE id = ?')
                ->execute([$fault['id']]);
        }
        break;
    }
    $db->prepare('INSERT INTO llamadas (operacion, falla) VALUES (?, ?)')
        ->execute([$operation, $mode]);
    $db->exec('COMMIT');
    return $mode;
}

/* A PHP fatal as Apache shows it with display_errors off: HTTP 500 and no SOAP body. */
function orfeo_die_without_answer(): void
{
    http_response_code(500);
    exit;
}

/* The connection drops in the middle of the answer: a 200 whose body stops short. */
function orfeo_cut_answer(): void
{
    header('Content-Type: text/xml; charset=ISO-8859-1');
    header('Content-Length: 4096');
    echo '<?xml version="1.0" encoding="ISO-8859-1"?><SOAP-ENV:Envelope';
    exit;
}

function orfeo_after(string $mode, string $answer): string
{
    if ($mode === 'notice_after') {
        // display_errors on, as on many Orfeo servers: the main line's radicarDocumento
        // reads undefined variables, and each notice is printed before the SOAP answer.
        // With output_buffering off the notice goes out first and nusoap's headers,
        // Content-Length among them, can no longer be sent: the body runs to the close.
        header_register_callback(function (): void {
            header_remove('Content-Length');
        });
        echo "<br />\n<b>Notice</b>:  Undefined variable: radicadopadre in"
            . " <b>/var/www/orfeo/webServices/servidor.php</b> on line 1033<br />\n";
    }
    if ($mode === 'lost_after') {
        orfeo_die_without_answer();
    }
    if ($mode === 'cut_after') {
        orfeo_cut_answer();
    }
    if ($mode === 'slow_after') {
        usleep((int)(1e6 * (float)orfeo_control('slow_seconds', '5')));
    }
    return $answer;
}

/* nusoap hands the functions ISO-8859-1 text (its parser utf8_decode()s every value, and
 * what does not fit becomes "?"), as in Orfeo; the double stores it as UTF-8. */
function orfeo_utf8($value)
{
    if (is_array($value)) {
        return array_map('orfeo_utf8', array_values($value));
    }
    return iconv('ISO-8859-1', 'UTF-8', (string)$value);
}

function orfeo_user_by_email(string $email): ?array
{
    $row = orfeo_db()->prepare('SELECT * FROM usuario WHERE usua_email = ?');
    $row->execute([trim($email)]);
    $user = $row->fetch(PDO::FETCH_ASSOC);
    $row->closeCursor();
    return $user === false ? null : $user;
}

function orfeo_user_sql(string $login): string
{
    return "SELECT USUA_LOGIN,USUA_DOC,DEPE_CODI,CODI_NIVEL,USUA_CODI,USUA_NOMB FROM USUARIO"
        . " WHERE USUA_EMAIL='$login@entidad.gov.co'";
}

function orfeo_user(string $loginOrMail): ?array
{
    $row = orfeo_db()->prepare(
        'SELECT * FROM usuario WHERE UPPER(usua_login) = UPPER(?) OR UPPER(usua_email) = UPPER(?)'
    );
    $row->execute([$loginOrMail, $loginOrMail]);
    $user = $row->fetch(PDO::FETCH_ASSOC);
    $row->closeCursor();
    return $user === false ? null : $user;
}

// An outage: every request, the WSDL included, gets 503 until control.down_until.
if ((float)orfeo_control('down_until', '0') > microtime(true)) {
    http_response_code(503);
    header('Retry-After: 1');
    echo "Service Unavailable\n";
    exit;
}

$ns = 'webServices/nusoap';
$server = new soap_server();
$server->configureWSDL('Sistema de Gestion Documental Orfeo-Internas', $ns);

$server->register(
    'crearAnexo',
    array(
        'radiNume' => 'xsd:string',
        'file' => 'xsd:base64binary',
        'filename' => 'xsd:string',
        'correo' => 'xsd:string',
        'descripcion' => 'xsd:string',
    ),
    array('return' => 'xsd:string'),
    $ns
);
$server->register(
    'solicitarAnulacion',
    array('radiNume' => 'xsd:string', 'descripcion' => 'xsd:string'),
    array('return' => 'tns:string'),
    $ns
);
$server->register(
    'radicarDocumento',
    array(
        'file' => 'xsd:base64binary',
        'fileName' => 'xsd:string',
        'correo' => 'xsd:string',
        'destinatarioOrg' => 'tns:Vector',
        'predioOrg' => 'tns:Vector',
        'espOrg' => 'tns:Vector',
        'asu' => 'xsd:string',
        'med' => 'xsd:string',
        'ane' => 'xsd:string',
        'coddepe' => 'xsd:string',
        'tpRadicado' => 'xsd:string',
        'cuentai' => 'xsd:string',
        'radi_usua_actu' => 'xsd:string',
        'tip_rem' => 'xsd:string',
        'tdoc' => 'xsd:string',
        'tip_doc' => 'xsd:string',
        'carp_codi' => 'xsd:string',
        'carp_per' => 'xsd:string',
    ),
    array('return' => 'xsd:string'),
    $ns,
    $ns . '#radicarDocumento',
    'rpc',
    'encoded',
    'Radicacion de un documento en Orfeo'
);
$server->register(
    'getInfoUsuario',
    array('usuaLoginMail' => 'xsd:string'),
    array('return' => 'tns:Vector'),
    $ns,
    $ns . '#getInfoUsuario',
    'rpc',
    'encoded',
    'Obtener informacion de un usuario a partir del correo electronico'
);
// The lookup extension the entity's administrator adds (see the README, "Orfeo").
$server->register(
    'consultarRadicadoCuentai',
    array('cuentai' => 'xsd:string', 'usuaLoginMail' => 'xsd:string'),
    array('return' => 'xsd:string'),
    $ns,
    $ns . '#consultarRadicadoCuentai',
    'rpc',
    'encoded',
    'Radicados que llevan esta referencia en RADI_CUENTAI'
);
$server->wsdl->addComplexType(
    'Vector',
    'complexType',
    'array',
    '',
    'SOAP-ENC:Array',
    array(),
    array(array('ref' => 'SOAP-ENC:arrayType', 'wsdl:arrayType' => 'xsd:string[]')),
    'xsd:string'
);

function radicarDocumento(
    $file, $fileName, $correo, $destinatarioOrg, $predioOrg, $espOrg, $asu, $med, $ane,
    $coddepe, $tpRadicado, $cuentai, $radi_usua_actu, $tip_rem, $tdoc, $tip_doc,
    $carp_codi, $carp_per
) {
    $mode = orfeo_fault('radicarDocumento');
    if ($mode === 'fatal_before') {
        orfeo_die_without_answer();
    }
    if ($mode === 'refuse_before') {
        return 'Error no genero un Numero de Secuencia o Inserto el radicado';
    }
    foreach (array('correo', 'asu', 'ane', 'cuentai', 'fileName') as $name) {
        $$name = orfeo_utf8($$name);
    }
    // Orfeo returns getInfoUsuario's exception message, its SQL included.
    $receiver = orfeo_user((string)$coddepe);
    if ($receiver === null) {
        return "El usuario $coddepe no existe " . orfeo_user_sql((string)$coddepe);
    }
    if (orfeo_user((string)$radi_usua_actu) === null) {
        return "El usuario $radi_usua_actu no existe " . orfeo_user_sql((string)$radi_usua_actu);
    }
    $vectors = array(
        'destinatarioOrg' => $destinatarioOrg,
        'predioOrg' => $predioOrg,
        'espOrg' => $espOrg,
    );
    foreach ($vectors as $name => $vector) {
        if (!is_array($vector) || count($vector) != 14) {
            return "Error en $name: se esperaban 14 valores";
        }
        $vectors[$name] = orfeo_utf8($vector);
    }
    $depe = $receiver['depe_codi'];
    $db = orfeo_db();
    $db->exec('BEGIN IMMEDIATE');
    $sequence = 'SECR_TP' . $tpRadicado . '_' . $depe;
    $db->prepare('INSERT OR IGNORE INTO secuencia (nombre, valor) VALUES (?, 0)')
        ->execute([$sequence]);
    $db->prepare('UPDATE secuencia SET valor = valor + 1 WHERE nombre = ?')->execute([$sequence]);
    $next = orfeo_value('SELECT valor FROM secuencia WHERE nombre = ?', [$sequence]);
    $number = date('Y') . $depe . str_pad((string)$next, 6, '0', STR_PAD_LEFT) . $tpRadicado;
    $db->prepare(
        'INSERT INTO radicado (radi_nume_radi, radi_fech_radi, radi_depe_radi, radi_usua_actu,'
        . ' ra_asun, mrec_codi, radi_desc_anex, radi_cuentai, trte_codi, tdoc_codi, tdid_codi,'
        . ' carp_codi, carp_per, correo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
    )->execute([
        $number, date('c'), $depe, $receiver['usua_login'], $asu, $med, $ane,
        substr((string)$cuentai, 0, 20), $tip_rem, $tdoc, $tip_doc, $carp_codi, $carp_per,
        $correo,
    ]);
    foreach ($vectors as $name => $vector) {
        $db->prepare('INSERT INTO vectores (radi_nume_radi, parte, valores) VALUES (?, ?, ?)')
            ->execute([$number, $name, json_encode($vector, JSON_UNESCAPED_UNICODE)]);
    }
    // Orfeo reads the destinatario by position (grb_direcciones): 0 documento,
    // 1 cc_documento, 2 tipo_emp, 3 nombre, 4 prim_apel, 5 seg_apel, 6 telefono,
    // 7 direccion, 8 mail, 9 otro, 10 idcont, 11 idpais, 12 codep, 13 muni.
    $d = $vectors['destinatarioOrg'];
    $trd = array('0' => '1', '1' => '3', '2' => '2', '6' => '4');
    if ($d[0] != '') {  // Orfeo skips the destinatario when its documento is empty
        $db->prepare(
            'INSERT INTO sgd_dir_drecciones (radi_nume_radi, sgd_dir_tipo, sgd_trd_codigo,'
            . ' sgd_dir_nomremdes, sgd_dir_doc, sgd_dir_direccion, sgd_dir_telefono,'
            . ' sgd_dir_mail, muni_codi, dpto_codi, id_pais, id_cont)'
            . ' VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
        )->execute([
            $number, $trd[$d[2]] ?? '1', trim("$d[3] $d[4] $d[5]"), $d[1], $d[7], $d[6], $d[8],
            $d[13], $d[12], $d[11], $d[10],
        ]);
    }
    if ($fileName != '') {
        $db->prepare('UPDATE radicado SET radi_path = ? WHERE radi_nume_radi = ?')->execute([
            // as Orfeo: the extension is what follows the name's first dot
            '/' . substr($number, 0, 4) . "/$depe/docs/$number." . explode('.', $fileName)[1],
            $number,
        ]);
        $image = $db->prepare('INSERT INTO imagen (radi_nume_radi, nombre, contenido) VALUES (?, ?, ?)');
        $image->bindValue(1, $number);
        $image->bindValue(2, $fileName);
        $image->bindValue(3, base64_decode($file), PDO::PARAM_LOB);
        $image->execute();
    }
    $db->exec('COMMIT');
    if ($mode === 'error_after') {
        return 'No se ha podido actualizar la informacion de SGD_DIR_DRECCIONES DOS -- insert into'
            . ' SGD_DIR_DRECCIONES (...) values (...) --';
    }
    return orfeo_after($mode, $number);
}

function crearAnexo($radiNume, $file, $filename, $correo, $descripcion)
{
    $mode = orfeo_fault('crearAnexo');
    if ($mode === 'fatal_before') {
        orfeo_die_without_answer();
    }
    $filename = orfeo_utf8($filename);
    $descripcion = orfeo_utf8($descripcion);
    $user = orfeo_user_by_email((string)$correo);
    $db = orfeo_db();
    $db->exec('BEGIN IMMEDIATE');
    $exists = (int)orfeo_value('SELECT COUNT(*) FROM radicado WHERE radi_nume_radi = ?', [$radiNume]);
    $n = (int)orfeo_value(
        'SELECT COALESCE(MAX(anex_numero), 0) + 1 FROM anexos WHERE anex_radi_nume = ?',
        [$radiNume]
    );
    $code = $radiNume . str_pad((string)$n, 5, '0', STR_PAD_LEFT);
    // Orfeo looks the user up by e-mail; an unknown one still gets the anexo, no creator.
    if ($exists === 0 || $mode === 'refuse_before') {
        $db->exec('ROLLBACK');
        return 'Error en la adicion verifique: ' . $code;
    }
    $extension = pathinfo((string)$filename, PATHINFO_EXTENSION);
    $insert = $db->prepare(
        'INSERT INTO anexos (anex_codigo, anex_radi_nume, anex_numero, anex_nomb_archivo,'
        . ' anex_desc, anex_creador, contenido) VALUES (?, ?, ?, ?, ?, ?, ?)'
    );
    $insert->bindValue(1, $code);
    $insert->bindValue(2, $radiNume);
    $insert->bindValue(3, $n, PDO::PARAM_INT);
    $insert->bindValue(4, "$code.$extension");
    $insert->bindValue(5, $descripcion);
    $insert->bindValue(6, $user === null ? '' : $user['usua_login']);
    $insert->bindValue(7, base64_decode($file), PDO::PARAM_LOB);
    $insert->execute();
    $db->exec('COMMIT');
    return orfeo_after($mode, 'Anexo Creado' . $code);
}

/* Recorded, then answered with a value of the undefined type tns:string: nusoap cannot
 * serialize it and sends the fault "unable to serialize result", as Orfeo does. */
function solicitarAnulacion($radiNume, $descripcion)
{
    $mode = orfeo_fault('solicitarAnulacion');
    if ($mode === 'fatal_before') {
        orfeo_die_without_answer();
    }
    if ((int)orfeo_value('SELECT COUNT(*) FROM radicado WHERE radi_nume_radi = ?', [$radiNume]) === 0) {
        return 'Error Solicitando Anulacion';
    }
    orfeo_db()->prepare(
        'INSERT INTO sgd_anu_anulados (radi_nume_radi, sgd_anu_desc, sgd_anu_sol_fech) VALUES (?, ?, ?)'
    )->execute([$radiNume, orfeo_utf8($descripcion), date('c')]);
    orfeo_db()->prepare('UPDATE radicado SET sgd_eanu_codigo = 1 WHERE radi_nume_radi = ?')
        ->execute([$radiNume]);
    return orfeo_after($mode, 'Exito Solicitando Anulacion');
}

/* Six strings: login, document, dependency, level, user code, name. An unknown user
 * throws, as Orfeo's does: uncaught, that is a PHP fatal (HTTP 500 without body). */
function getInfoUsuario($usuaLoginMail)
{
    orfeo_fault('getInfoUsuario');
    $user = orfeo_user((string)$usuaLoginMail);
    if ($user === null) {
        throw new Exception("El usuario $usuaLoginMail no existe");
    }
    return array(
        'usua_login' => $user['usua_login'],
        'usua_doc' => $user['usua_doc'],
        'usua_depe' => $user['depe_codi'],
        'usua_nivel' => $user['codi_nivel'],
        'usua_codi' => $user['usua_codi'],
        'usua_nomb' => $user['usua_nomb'],
    );
}

function consultarRadicadoCuentai($cuentai, $usuaLoginMail)
{
    orfeo_fault('consultarRadicadoCuentai');
    if (orfeo_user((string)$usuaLoginMail) === null) {
        return "El usuario $usuaLoginMail no existe";
    }
    $rows = orfeo_db()->prepare(
        'SELECT radi_nume_radi FROM radicado WHERE radi_cuentai = ? ORDER BY radi_nume_radi'
    );
    $rows->execute([orfeo_utf8($cuentai)]);
    return implode(',', $rows->fetchAll(PDO::FETCH_COLUMN));
}

$server->service(file_get_contents('php://input'));
