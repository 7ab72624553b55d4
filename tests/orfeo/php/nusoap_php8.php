<?php
/*
 * Loads Debian's nusoap 0.9.5 on PHP 8 without touching the system copy.
 *
 * nusoap declares its constructors the PHP 4 way (a method named like its class); PHP 8
 * no longer calls those on `new`. A patched copy is written once per nusoap file and PHP
 * version into the temp dir: each class with such a method gets a __construct that
 * forwards to it. Nothing else is changed; subclasses that call `parent::nusoap_base()`
 * keep working because the old method is still there.
 */

function orfeo_double_nusoap(string $source = '/usr/share/php/nusoap/nusoap.php'): string
{
    if (!is_file($source)) {
        throw new RuntimeException("nusoap not found at $source (Debian package libnusoap-php)");
    }
    $dir = sys_get_temp_dir() . '/orfeo-double-nusoap-' . substr(md5_file($source), 0, 12)
        . '-php' . PHP_MAJOR_VERSION . PHP_MINOR_VERSION;
    $target = "$dir/nusoap.php";
    if (is_file($target)) {
        return $target;
    }
    $code = file_get_contents($source);
    $patched = preg_replace_callback(
        '/^class\s+(\w+)(\s+extends\s+\w+)?\s*\{/mi',
        function (array $m) use ($code): string {
            $class = $m[1];
            if (!preg_match('/function\s+' . preg_quote($class, '/') . '\s*\(/i', $code)) {
                return $m[0];
            }
            return $m[0] . "\n\tfunction __construct(...\$args) { \$this->$class(...\$args); }\n";
        },
        $code
    );
    if (!is_dir($dir)) {
        @mkdir($dir, 0700, true);
    }
    // Several server workers may start at once: write aside, then rename atomically.
    $temp = tempnam($dir, 'nusoap');
    file_put_contents($temp, $patched);
    rename($temp, $target);
    return $target;
}

require_once orfeo_double_nusoap();
